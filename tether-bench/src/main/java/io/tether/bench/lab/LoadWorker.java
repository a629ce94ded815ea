package io.tether.bench.lab;

import io.tether.cli.CliTypes;
import io.tether.cli.Within;
import io.tether.cli.Logging;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One worker process of {@code tether bench load}: holds its share of the connections and answers the
 * coordinator's commands ({@code window}, {@code report}, end of input) read from standard input.
 */
@Command(name = "load-worker", hidden = true, description = "A worker process of tether bench load.")
final class LoadWorker implements Callable<Integer> {
    @Option(names = "--protocol", required = true)
    Wire wire;

    @Option(names = "--target", required = true, converter = CliTypes.HostPortConverter.class)
    InetSocketAddress target;

    @Option(names = "--connections", required = true)
    @Within(min = "1", max = "19500", why = "20,000 open files a process")
    int connections;

    @Option(names = "--interval", required = true, converter = CliTypes.DurationConverter.class)
    @Within(min = "10ms", max = "1h")
    Duration interval;

    @Option(names = "--connect-rate", required = true)
    @Within(min = "1", max = "1000000")
    int connectRate;

    @Option(names = "--threads", required = true)
    @Within(min = "1", max = "64")
    int threads;

    @Option(names = "--id-prefix", required = true)
    String idPrefix;

    @Option(names = "--tls")
    boolean tls;

    @Override
    public Integer call() throws Exception {
        Logging.quietLibrary();
        InetSocketAddress resolved = CliTypes.HostPortConverter.resolved(target);
        try (LoadDriver driver = new LoadDriver(wire, resolved, interval, threads, idPrefix, tls)) {
            new LoadShare.Local(driver, connections, connectRate).open();
            System.out.println("opened " + driver.ready() + " " + driver.failed());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            for (String line; (line = in.readLine()) != null; ) {
                switch (line.trim()) {
                    case "window" -> driver.startWindow();
                    case "report" -> System.out.println("report " + LoadShare.toJson(driver.endWindow()));
                    default -> System.err.println("load-worker: unknown command '" + line + "'");
                }
                System.out.flush();
            }
        }
        return 0;
    }
}
