package io.tether.keeper.internal;

import io.tether.keeper.EndpointConfig;
import io.tether.keeper.EndpointMode;
import io.tether.keeper.KeeperConfig;
import io.tether.keeper.internal.ConfigFiles.Entry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The classic socket-keeper layout, read unchanged:
 * <pre>
 * # how many socket&lt;i&gt; blocks follow, numbered from 1 (1..1024)
 * socketConnCount = 2
 * # seconds between checks of kept connections (1..86400, default 10)
 * commonCheckTime = 5
 * # the name callers borrow by
 * socket1        = bank
 * socket1_ip     = 10.0.0.5
 * socket1_port   = 9000
 * # 1 = keep open; any other number = short, one connection per use
 * socket1_isKeep = 1
 * </pre>
 * Keys unrelated to sockets are left alone: classic files often carry the application's other settings.
 * Like {@code java.util.Properties}, which wrote and read these files, a {@code #} starts a comment only
 * at the start of a line.
 */
final class ClassicFormat {
    private static final Pattern SOCKET_KEY = Pattern.compile("socket(\\d+)(.*)");
    /** commonCheckTime is in whole seconds, up to the longest check interval (a day). */
    private static final int MAX_CHECK_SECONDS = 86_400;

    private final Settings settings;
    private final Map<String, Entry> entries;

    ClassicFormat(Settings settings, Map<String, Entry> entries) {
        this.settings = settings;
        this.entries = entries;
    }

    List<EndpointConfig> endpoints() {
        // No endpoints is a mistake, not a keeper that holds nothing and reports success.
        int count = settings.integer(entries.get("socketConnCount"), 1, KeeperConfig.MAX_ENDPOINTS);
        Entry checkEntry = entries.get("commonCheckTime");
        Duration check = checkEntry == null ? Duration.ofSeconds(10)
                : Duration.ofSeconds(settings.integer(checkEntry, 1, MAX_CHECK_SECONDS));
        rejectStrayKeys(count);

        List<EndpointConfig> endpoints = new ArrayList<>();
        Map<String, Entry> nameEntries = new HashMap<>();
        for (int i = 1; i <= count; i++) {
            Entry name = require(i, "", count);
            String nameProblem = EndpointConfig.nameProblem(name.value());
            if (nameProblem != null) {
                throw settings.error(name, nameProblem);
            }
            String host = settings.host(require(i, "_ip", count));
            int port = settings.port(require(i, "_port", count));
            Entry keep = entries.get("socket" + i + "_isKeep");
            boolean isKeep = keep != null && settings.integer(keep, Integer.MIN_VALUE, Integer.MAX_VALUE) == 1;
            EndpointConfig[] built = new EndpointConfig[1];
            settings.apply(name, () -> built[0] = EndpointConfig.builder(name.value(), host, port)
                    .mode(isKeep ? EndpointMode.KEEP : EndpointMode.SHORT)
                    .checkInterval(check)
                    .build());
            endpoints.add(built[0]);
            nameEntries.put(name.value(), name);
        }
        return ConfigFiles.checkedNames(settings.source(), endpoints, nameEntries);
    }

    private Entry require(int index, String suffix, int count) {
        String key = "socket" + index + suffix;
        Entry entry = entries.get(key);
        if (entry == null) {
            throw settings.missing(key, "missing: socketConnCount is " + count + ", so socket1 .. socket" + count
                    + " each need a name, _ip and _port");
        }
        settings.value(entry);
        return entry;
    }

    private void rejectStrayKeys(int count) {
        for (Entry entry : entries.values()) {
            Matcher m = SOCKET_KEY.matcher(entry.key());
            if (!m.matches()) {
                continue;
            }
            String suffix = m.group(2);
            if (!suffix.isEmpty() && !suffix.equals("_ip") && !suffix.equals("_port") && !suffix.equals("_isKeep")) {
                throw settings.error(entry, "unknown key (a socket block has socket" + m.group(1) + ", socket"
                        + m.group(1) + "_ip, socket" + m.group(1) + "_port and socket" + m.group(1) + "_isKeep)");
            }
            String digits = m.group(1);
            if (digits.length() > 1 && digits.charAt(0) == '0') {
                throw settings.error(entry, "socket numbers are written without leading zeros");
            }
            // More digits than any count has is out of range, and must not overflow a number on the way.
            long index = digits.length() > 9 ? Long.MAX_VALUE : Long.parseLong(digits);
            if (index < 1 || index > count) {
                throw settings.error(entry, "is defined but socketConnCount is " + count);
            }
        }
    }
}
