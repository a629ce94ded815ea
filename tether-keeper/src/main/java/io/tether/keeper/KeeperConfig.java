package io.tether.keeper;

import io.tether.keeper.internal.ConfigFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The endpoints a {@link Keeper} holds, by name, in the order they were configured. Immutable. */
public final class KeeperConfig {
    /** The most endpoints one keeper holds: each is opened by its own thread when the keeper starts. */
    public static final int MAX_ENDPOINTS = 1024;

    private final Map<String, EndpointConfig> endpoints;

    private KeeperConfig(Map<String, EndpointConfig> endpoints) {
        this.endpoints = endpoints;
    }

    public static KeeperConfig of(List<EndpointConfig> endpoints) {
        if (endpoints.size() > MAX_ENDPOINTS) {
            throw new IllegalArgumentException("a keeper holds at most " + MAX_ENDPOINTS + " endpoints, got " + endpoints.size());
        }
        Map<String, EndpointConfig> byName = new LinkedHashMap<>();
        for (EndpointConfig endpoint : endpoints) {
            if (byName.put(endpoint.name(), endpoint) != null) {
                throw new IllegalArgumentException("endpoint name '" + endpoint.name() + "' is used twice");
            }
        }
        return new KeeperConfig(java.util.Collections.unmodifiableMap(byName));
    }

    /**
     * Reads a configuration file in either format: the classic one ({@code socketConnCount},
     * {@code socket1_ip}…) or Tether's own ({@code endpoint.<name>.<setting>}); see docs/KEEPER.md.
     *
     * @throws ConfigException naming the line and key of the first mistake; also when the file is missing,
     *                         a directory, unreadable, larger than any configuration or not UTF-8
     * @throws IOException     when reading fails for another reason (a disk error)
     */
    public static KeeperConfig read(Path file) throws IOException {
        return of(ConfigFiles.read(file));
    }

    public Map<String, EndpointConfig> endpoints() {
        return endpoints;
    }
}
