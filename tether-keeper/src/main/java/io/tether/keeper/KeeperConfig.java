package io.tether.keeper;

import io.tether.keeper.internal.ConfigFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The endpoints a {@link Keeper} holds, by name, in the order they were configured. Immutable. */
public final class KeeperConfig {
    private final Map<String, EndpointConfig> endpoints;

    private KeeperConfig(Map<String, EndpointConfig> endpoints) {
        this.endpoints = endpoints;
    }

    public static KeeperConfig of(List<EndpointConfig> endpoints) {
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
     * @throws ConfigException naming the line and key of the first mistake
     */
    public static KeeperConfig read(Path file) throws IOException {
        return of(ConfigFiles.read(file));
    }

    public Map<String, EndpointConfig> endpoints() {
        return endpoints;
    }
}
