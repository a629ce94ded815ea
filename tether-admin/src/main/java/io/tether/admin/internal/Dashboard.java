package io.tether.admin.internal;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The dashboard's files, served from the jar at {@code /} and {@code /assets/…}: a fixed list, read once, so
 * that no path a client sends ever reaches a file lookup.
 */
final class Dashboard {
    private static final String ROOT = "/io/tether/admin/dashboard/";
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/assets/dashboard.js", new String[] {"dashboard.js", "text/javascript; charset=utf-8"},
            "/assets/dashboard.css", new String[] {"dashboard.css", "text/css; charset=utf-8"});
    private final Map<String, Routes.Answer> answers;

    Dashboard() {
        java.util.HashMap<String, Routes.Answer> loaded = new java.util.HashMap<>();
        FILES.forEach((path, file) -> {
            try (InputStream in = Dashboard.class.getResourceAsStream(ROOT + file[0])) {
                if (in != null) {
                    loaded.put(path, new Routes.Answer(HttpResponseStatus.OK, file[1], in.readAllBytes()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the dashboard's " + file[0], e);
            }
        });
        this.answers = Map.copyOf(loaded);
    }

    boolean serves(String path) {
        return answers.containsKey(path);
    }

    Routes.Answer answer(String path) {
        return answers.get(path);
    }
}
