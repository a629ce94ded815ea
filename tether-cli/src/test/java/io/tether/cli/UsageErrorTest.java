package io.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class UsageErrorTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "server --port 7000 --bogus                              | Unknown option: '--bogus'",
            "server --heartbeat-interval 3 sec                       | is not a duration",
            "server --heartbeat-interval fast                        | 'fast' is not a duration",
            "server --profile turbo                                  | unknown heartbeat profile 'turbo'",
            "server --heartbeat-interval 5s --heartbeat-timeout 2s   | must not be shorter than the interval",
            "server --port 70000                                     | --port must be within 0..65535",
            "server --detector phi --phi-threshold 50                | phi threshold must be within 2..20",
            "server --detector magic                                 | Invalid value for option '--detector'",
            "client --server 127.0.0.1 --id a                        | '127.0.0.1' is not host:port",
            "client --server 127.0.0.1:7000                          | Missing required option: '--id",
            "client --server 127.0.0.1:7000 --id a --backoff-multiplier 0.5 | multiplier >= 1",
            "demo --heartbeat-timeout 1x                             | '1x' is not a duration",
            "keep --once                                             | Missing required option: '--config=FILE'",
            "keep --config no-such-file.properties                   | cannot read --config no-such-file.properties",
            "bench load --per-process 30000                          | --per-process must be within 1..19500",
            "bench load --protocol smtp                              | Invalid value for option '--protocol'",
            "bench load --interval 1ms                               | --interval must be at least 10ms",
            "bench storm --clients 0                                 | --clients must be at least 1",
            "nonsense                                                | Unmatched argument"})
    void badFlagOrValueGivesOneLineAndExitCodeTwo(String args, String expected) {
        StringWriter err = new StringWriter();
        CommandLine cli = TetherCommand.newCommandLine();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));

        int exit = cli.execute(args.trim().split("\\s+"));

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(err.toString()).contains(expected).contains("--help");
    }
}
