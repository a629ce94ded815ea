package io.tether.bench.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.cli.TetherCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The bench commands parse as {@code tether}'s do: a bad flag is one line naming it, and exit code 2. */
class BenchUsageErrorTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "load --per-process 30000                          | tether bench load: --per-process must be within 1..19500, got 30000",
            "load --protocol smtp                              | Invalid value for option '--protocol'",
            "load --interval 1ms                               | --interval must be within 10ms..1h, got 1ms",
            "storm --clients 0                                 | --clients must be within 1..10000000, got 0",
            "detection --threads 65                            | --threads must be within 1..64, got 65",
            "faults --profile turbo                            | unknown heartbeat profile 'turbo'",
            "faults --silent 20000                             | --silent must be within 1..19500, got 20000",
            "hostile --healthy 0                               | --healthy must be within 1..10000, got 0",
            "hostile --duration 0ms                            | --duration must be within 1ms..24h, got 0ms",
            "hostile --dribble-step 2s --dribble-for 1s        | --dribble-for must be at least one --dribble-step",
            "lod                                               | did you mean load?"})
    void badFlagOrValueGivesOneLineAndExitCodeTwo(String args, String expected) {
        StringWriter err = new StringWriter();
        CommandLine cli = BenchMain.newCommandLine();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));

        int exit = cli.execute(args.trim().split("\\s+"));

        assertThat(exit).as(err.toString()).isEqualTo(TetherCommand.USAGE_ERROR);
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(err.toString()).contains(expected).contains("--help");
    }

    /** Ranges are checked before --help runs, so a default outside its own range would make help fail. */
    @Test
    void everyCommandsHelpRunsWithItsDefaults() {
        for (CommandLine sub : BenchMain.newCommandLine().getSubcommands().values()) {
            if (sub.getCommandSpec().findOption("--help") == null) {
                continue; // a worker the coordinator starts, without --help
            }
            String command = sub.getCommandName();
            CommandLine cli = BenchMain.newCommandLine();
            StringWriter err = new StringWriter();
            cli.setErr(new PrintWriter(err));
            cli.setOut(new PrintWriter(new StringWriter()));

            assertThat(cli.execute(command, "--help")).as("%s --help: %s", command, err).isZero();
        }
    }

    @Test
    void helpShowsNoMissingDefault() {
        Deque<CommandLine> commands = new ArrayDeque<>(BenchMain.newCommandLine().getSubcommands().values());
        assertThat(commands).isNotEmpty();
        while (!commands.isEmpty()) {
            CommandLine command = commands.pop();
            commands.addAll(command.getSubcommands().values());
            assertThat(command.getUsageMessage()).as(command.getCommandSpec().qualifiedName()).doesNotContain("null");
        }
    }
}
