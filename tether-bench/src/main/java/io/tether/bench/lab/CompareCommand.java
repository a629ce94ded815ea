package io.tether.bench.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Puts the JSON results of several {@code tether bench load --json} runs side by side, as a table and a chart. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Print results of 'tether bench load --json' runs as one table; optionally draw a PNG chart.")
final class CompareCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "1..*", description = "JSON files written by tether bench load --json.")
    List<Path> files;

    @Option(names = "--chart", paramLabel = "PNG", description = "Also draw CPU per ping and RSS per connection to this PNG.")
    Path chart;

    record Row(String server, JsonNode result) {
        double value(String field) {
            JsonNode node = result.get(field);
            return node == null || !node.isNumber() ? Double.NaN : node.asDouble();
        }
    }

    @Override
    public Integer call() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString().replaceFirst("\\.json$", "");
            rows.add(new Row(name, LoadShare.JSON.readTree(file.toFile())));
        }
        System.out.println(table(rows));
        if (chart != null) {
            draw(rows, chart);
            System.out.println("chart: " + chart);
        }
        return 0;
    }

    static String table(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        out.append("| server | connections held | pings in window | missing pongs | CPU µs per ping | RSS KiB per connection"
                + " | PSS KiB per connection | RTT p50 ms | RTT p99 ms | RTT p99.9 ms | RTT max ms |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            out.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %.2f | %.2f | %.2f | %.3f | %.3f | %.3f | %.3f |%n",
                    row.server(), (long) row.value("held"), (long) row.value("pongs"), (long) row.value("missing"),
                    row.value("cpuMicrosPerPing"), row.value("rssKibPerConnection"), row.value("pssKibPerConnection"),
                    row.value("rttP50Ms"),
                    row.value("rttP99Ms"), row.value("rttP999Ms"), row.value("rttMaxMs")));
        }
        return out.toString();
    }

    static void draw(List<Row> rows, Path png) throws IOException {
        int panelWidth = 420;
        int height = 360;
        BufferedImage image = new BufferedImage(panelWidth * 3, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), height);
        panel(g, 0, panelWidth, height, "Server CPU per ping (µs)", rows, r -> r.value("cpuMicrosPerPing"), "%.1f");
        panel(g, panelWidth, panelWidth, height, "RSS per connection (KiB)", rows, r -> r.value("rssKibPerConnection"), "%.2f");
        panel(g, panelWidth * 2, panelWidth, height, "Ping round trip p99 (ms)", rows, r -> r.value("rttP99Ms"), "%.2f");
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }

    private static void panel(Graphics2D g, int x0, int width, int height, String title, List<Row> rows,
                              ToDoubleFunction<Row> value, String format) {
        Color[] colors = {new Color(0x2b6cb0), new Color(0x718096), new Color(0xc05621), new Color(0x2f855a),
                new Color(0x6b46c1), new Color(0xb7791f)};
        int top = 50;
        int bottom = height - 60;
        int left = x0 + 30;
        int right = x0 + width - 20;
        double max = rows.stream().mapToDouble(value).filter(v -> !Double.isNaN(v)).max().orElse(1);
        max = max <= 0 ? 1 : max * 1.15;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, left, 28);
        g.setStroke(new BasicStroke(1));
        g.drawLine(left, bottom, right, bottom);
        int slot = (right - left) / Math.max(1, rows.size());
        for (int i = 0; i < rows.size(); i++) {
            double v = value.applyAsDouble(rows.get(i));
            int barLeft = left + i * slot + slot / 6;
            int barWidth = slot * 2 / 3;
            int barHeight = Double.isNaN(v) ? 0 : (int) Math.round((bottom - top) * v / max);
            g.setColor(colors[i % colors.length]);
            g.fillRect(barLeft, bottom - barHeight, barWidth, barHeight);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            String label = Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, format, v);
            g.drawString(label, barLeft + (barWidth - g.getFontMetrics().stringWidth(label)) / 2, bottom - barHeight - 6);
            String name = rows.get(i).server();
            g.drawString(name, barLeft + (barWidth - g.getFontMetrics().stringWidth(name)) / 2, bottom + 20);
        }
    }
}
