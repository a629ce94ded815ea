package io.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;
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
            "server --port 70000                                     | --port must be within 0..65535, got 70000",
            "server --legacy-port 70000                              | --legacy-port must be within 0..65535, got 70000",
            "server --host 999.1.1.1                                 | '999.1.1.1' is not an IP address or a host name that resolves",
            "server --threads 100000                                 | --threads must be within 1..256, got 100000",
            "server --threads 0                                      | --threads must be within 1..256, got 0",
            "server --summary-every 25h                              | --summary-every must be within 0ms..24h, got 25h",
            "server --heartbeat-interval 2h                          | --heartbeat-interval must be within 1ms..1h, got 2h",
            "server --detector phi --phi-threshold 50                | --phi-threshold must be within 2..20, got 50",
            "server --phi-threshold NaN                              | --phi-threshold must be within 2..20, got NaN",
            "server --phi-window 3                                   | --phi-window must be within 4..1000, got 3",
            "server --detector magic                                 | Invalid value for option '--detector'",
            "server --porrt 8                                        | did you mean --port?",
            "server --heartbeat-intervall 2s                         | did you mean --heartbeat-interval?",
            "servr                                                   | did you mean server?",
            "client --server 127.0.0.1 --id a                        | '127.0.0.1' is not host:port",
            "client --server 127.0.0.1:7000                          | Missing required option: '--id",
            "client --server 127.0.0.1:7000 --id a --backoff-multiplier 0.5 | --backoff-multiplier must be within 1..100, got 0.5",
            "client --server 127.0.0.1:7000 --id a --backoff-max 25h | --backoff-max must be within 1ms..24h, got 25h",
            "demo --heartbeat-timeout 1x                             | '1x' is not a duration",
            "keep --once                                             | Missing required option: '--config=FILE'",
            "keep --config no-such-file.properties                   | cannot read --config no-such-file.properties",
            "server --max-connections 0                              | --max-connections must be within 1..10000000, got 0",
            "server --max-connections-per-address -1                 | --max-connections-per-address must be within 0..10000000, got -1",
            "server --max-handshake-rate -1                          | --max-handshake-rate must be within 0..10000000, got -1",
            "server --max-handshake-rate 10000001                    | --max-handshake-rate must be within 0..10000000, got 10000001",
            "server --max-handshake-rate 99999999999                 | Invalid value for option '--max-handshake-rate': '99999999999' is not an int",
            "server --max-handshake-rate 1e3                         | Invalid value for option '--max-handshake-rate': '1e3' is not an int",
            "server --max-bytes-per-second 10XB                      | '10XB' is not a byte count like 1048576, 512KiB, 16MiB or 1GiB",
            "server --max-bytes-per-second 99999999999999GiB         | is not a byte count",
            "server --max-buffered 1KiB                              | --max-buffered must be within 1048576..1099511627776, got 1024",
            "server --legacy-max-payload 32MiB                       | --legacy-max-payload must be within 64..16777216, got 33554432",
            "server --legacy-allow 10.0.0.0/8,999.1.1.1/8            | not a network in CIDR form like 10.0.0.0/8 (not an IP address): 999.1.1.1/8",
            "server --legacy-allow example.com/8                     | (not an IP address): example.com/8",
            "server --legacy-allow 10.0.0.0/33                       | (prefix must be 0..32): 10.0.0.0/33",
            "server --auth magic                                     | Invalid value for option '--auth'",
            "server --auth token                                     | this --auth mode needs --auth-secret-file",
            "server --auth jwt                                       | this --auth mode needs --auth-jwt-keys",
            "server --auth mtls                                      | --auth mtls needs TLS with client certificates",
            "server --auth-secret-file x                             | --auth-secret-file goes with --auth token",
            "server --auth token --auth-secret-file no-such-file     | --auth token: cannot read the secret in no-such-file: no such file",
            "server --auth jwt --auth-jwt-keys no-such-file          | --auth jwt: cannot read the token keys in no-such-file: no such file",
            "token --id alice                                        | Missing required option: '--secret-file=FILE'",
            "token --secret-file no-such-file --id alice             | --secret-file: cannot read the secret in no-such-file: no such file",
            "token --secret-file x --id alice --ttl 0s               | --ttl must be within 1s..87600h, got 0ms",
            "client --server 127.0.0.1:7000 --id a --token t --token-file f | --token and --token-file are alternatives",
            "server --log-format xml                                 | Invalid value for option '--log-format': expected one of [text, json]",
            "client --server 127.0.0.1:7000 --id a --log-format xml  | Invalid value for option '--log-format'",
            "server --config                                         | Missing required parameter for option '--config'",
            "server --config no-such-file.yaml                       | no-such-file.yaml: no such file",
            "server --admin-port 70000                               | --admin-port must be within 0..65535, got 70000",
            "server --admin-token-file x                             | --admin-token-file goes with --admin-port",
            "server --port 0 --admin-port 0 --admin-host 0.0.0.0     | --admin: the admin port on 0.0.0.0 would be beyond loopback without a token",
            "status                                                  | Missing required option: '--admin=HOST:PORT'",
            "status --admin 127.0.0.1                                | '127.0.0.1' is not host:port",
            "server --cluster garbage                                | Invalid value for option '--cluster': not a Redis URI (redis://HOST:PORT",
            "server --cluster http://127.0.0.1:6379                  | '--cluster': not a Redis URI",
            "server --cluster redis://127.0.0.1:99999                | '--cluster': not a Redis URI",
            "server --cluster redis://                               | '--cluster': not a Redis URI",
            "server --cluster redis://h:1 --node-id a{b              | '--node-id': 'a{b' must be 1 to 64 letters, digits, '.', '_' or '-'",
            "server --cluster redis://h:1 --cluster-name x:y         | '--cluster-name': 'x:y' must be 1 to 64 letters",
            "server --node-id a                                      | --node-id goes with --cluster",
            "server --cluster-lease-timeout 10s                      | --cluster-lease-timeout goes with --cluster",
            "server --cluster-lease-interval 5ms                     | --cluster-lease-interval must be within 10ms..1m, got 5ms",
            "server --cluster redis://127.0.0.1:1 --cluster-lease-interval 1s --cluster-lease-timeout 1s | the lease timeout must be at least two renew intervals (--cluster-lease-timeout 1s, --cluster-lease-interval 1s)",
            "cluster status                                          | Missing required option: '--redis=REDIS_URI'",
            "cluster status --redis 127.0.0.1:6379                   | '--redis': not a Redis URI",
            "cluster status --redis redis://h:1 --timeout 0ms        | --timeout must be within 1ms..1m, got 0ms",
            "cluster stat                                            | did you mean status?",
            "nonsense                                                | Unmatched argument"})
    void badFlagOrValueGivesOneLineAndExitCodeTwo(String args, String expected) {
        assertUsageError(expected, args.trim().split("\\s+"));
    }

    @Test
    void clientIdsAreHeldToTheOneRuleBeforeAnythingConnects() {
        assertUsageError("Invalid value for option '--id': client id is empty", "client", "--server", "127.0.0.1:7000", "--id", "");
        assertUsageError("client id has the control character U+0009 at index 3", "client", "--server", "127.0.0.1:7000",
                "--id", "tab\there");
        assertUsageError("client id is 300 UTF-8 bytes, more than 255", "client", "--server", "127.0.0.1:7000",
                "--id", "x".repeat(300));
    }

    @Test
    void nodeIdsAreHeldToTheClustersRuleBeforeAnythingConnects() {
        for (String id : new String[] {"gw 1", "x".repeat(65), "{tether}", ""}) {
            assertUsageError("must be 1 to 64 letters, digits, '.', '_' or '-'", "server", "--cluster", "redis://127.0.0.1:1",
                    "--node-id", id);
        }
    }

    @Test
    void aRedisPasswordInABadUriIsNotRepeated() {
        assertThat(assertUsageError("not a Redis URI", "server", "--cluster", "redis://u:hunter2@127.0.0.1:99999"))
                .doesNotContain("hunter2");
    }

    @Test
    void userTextInAnErrorCannotBreakItsLine() {
        String line = assertUsageError("is not a duration", "server", "--heartbeat-interval", "1s\nFORGED: all clear");
        assertThat(line).contains("1s\\nFORGED");
    }

    @Test
    void helpShowsEachCommandsRealDefaults() {
        assertThat(help("server")).contains("Default: standard.").contains("Default: 7000.")
                .contains("accept queue; 0 for no limit. Default: 10000.");
        assertThat(help("client")).contains("Default: standard.").contains("Default: 2.0.");
        assertThat(help("demo")).contains("Default: strict.");
        String status = TetherCommand.newCommandLine().getSubcommands().get("cluster").getSubcommands().get("status")
                .getUsageMessage();
        assertThat(status).as("the output's form, which ClusterProcessIT holds the command to")
                .contains("  node ID address=HOST:PORT epoch=E lease-age=Nms lease-left=Nms sessions=N\n")
                .contains("  total online N\n");
        Deque<CommandLine> commands = new ArrayDeque<>(TetherCommand.newCommandLine().getSubcommands().values());
        while (!commands.isEmpty()) {
            CommandLine command = commands.pop();
            commands.addAll(command.getSubcommands().values());
            assertThat(command.getUsageMessage()).as(command.getCommandSpec().qualifiedName()).doesNotContain("null");
        }
    }

    @Test
    void theProductsHelpSaysWhereTheBenchmarksAreNowThatTheyAreNotInItsJar() {
        String usage = TetherCommand.newCommandLine().getUsageMessage().replaceAll("\\s+", " ");
        assertThat(usage).contains("./tether bench --help");
        assertThat(TetherCommand.newCommandLine().getSubcommands()).doesNotContainKey("bench");
    }

    private static String help(String command) {
        return TetherCommand.newCommandLine().getSubcommands().get(command).getUsageMessage().replaceAll("\\s+", " ");
    }

    /** Runs the command line in this process; returns its one line on stderr after checking it and exit code 2. */
    private static String assertUsageError(String expected, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = TetherCommand.newCommandLine();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));

        int exit = cli.execute(args);

        assertThat(exit).as(err.toString()).isEqualTo(2);
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(err.toString()).contains(expected).contains("--help");
        return err.toString();
    }
}
