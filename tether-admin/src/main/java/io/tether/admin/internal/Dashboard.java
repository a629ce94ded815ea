package io.tether.admin.internal;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The dashboard's files, served from the jar at {@code /} and {@code /assets/…}: the page's own files and
 * uPlot's from its webjar. A fixed list, read once, so that no path a client sends ever reaches a resource
 * lookup; a listed file missing from the classpath is a packaging error and stops the admin port from starting.
 */
final class Dashboard {
    private static final String PAGE = "/io/tether/admin/dashboard/";
    private static final String HTML = "text/html; charset=utf-8";
    private static final String JS = "text/javascript; charset=utf-8";
    private static final String CSS = "text/css; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    private record File(String resource, String contentType) { }

    private final Map<String, Routes.Answer> answers;

    Dashboard() {
        String uplot = "/META-INF/resources/webjars/uplot/" + webjarVersion("uplot") + "/";
        Map<String, File> files = Map.of(
                "/", new File(PAGE + "index.html", HTML),
                "/assets/dashboard.js", new File(PAGE + "dashboard.js", JS),
                "/assets/dashboard.css", new File(PAGE + "dashboard.css", CSS),
                "/assets/uPlot.iife.min.js", new File(uplot + "dist/uPlot.iife.min.js", JS),
                "/assets/uPlot.min.css", new File(uplot + "dist/uPlot.min.css", CSS),
                "/assets/uPlot.LICENSE.txt", new File(uplot + "LICENSE", TEXT));
        Map<String, Routes.Answer> loaded = new HashMap<>();
        files.forEach((path, file) -> loaded.put(path,
                new Routes.Answer(HttpResponseStatus.OK, file.contentType(), read(file.resource()))));
        this.answers = Map.copyOf(loaded);
    }

    boolean serves(String path) {
        return answers.containsKey(path);
    }

    Routes.Answer answer(String path) {
        return answers.get(path);
    }

    /** The version of a webjar on the classpath, as the build wrote it into webjars.properties. */
    private static String webjarVersion(String name) {
        Properties versions = new Properties();
        try (InputStream in = Dashboard.class.getResourceAsStream(PAGE + "webjars.properties")) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's webjars.properties is missing from the classpath");
            }
            versions.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard's webjars.properties", e);
        }
        String version = versions.getProperty(name);
        if (version == null || !version.matches("[0-9A-Za-z.+-]+")) {
            throw new IllegalStateException("webjars.properties gives no usable version for " + name + ": " + version);
        }
        return version;
    }

    private static byte[] read(String resource) {
        try (InputStream in = Dashboard.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + resource + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard's " + resource, e);
        }
    }
}
