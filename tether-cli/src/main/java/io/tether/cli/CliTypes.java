package io.tether.cli;

import io.tether.cluster.ClusterView;
import io.tether.cluster.internal.Keys;
import io.tether.heartbeat.HeartbeatProfile;
import io.tether.protocol.ClientIds;
import io.tether.server.internal.SourceNetworks;
import io.tether.util.Durations;
import io.tether.util.LogSafe;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters that turn flag values into types, each failing with a message fit for one line. They quote
 * what the user typed as it is: the usage-error handler makes the whole line safe ({@code TetherCommand}).
 */
public final class CliTypes {
    private CliTypes() {
    }

    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a duration (use e.g. 500ms, 3s, 1m, 2h)");
            }
        }
    }

    /** Checks a profile name and keeps it as its canonical id, which is what help shows as the default. */
    /** A byte count: {@code 1048576}, {@code 512KiB}, {@code 16MiB}, {@code 1GiB}. */
    public static final class ByteSizeConverter implements ITypeConverter<Long> {
        private static final String[] UNITS = {"GiB", "MiB", "KiB", "B"};
        private static final int[] SHIFTS = {30, 20, 10, 0};

        @Override
        public Long convert(String value) {
            String text = value.strip();
            int shift = 0;
            for (int i = 0; i < UNITS.length; i++) {
                if (text.endsWith(UNITS[i])) {
                    text = text.substring(0, text.length() - UNITS[i].length()).strip();
                    shift = SHIFTS[i];
                    break;
                }
            }
            try {
                long number = Long.parseLong(text);
                if (number < 0 || number > (Long.MAX_VALUE >> shift)) {
                    throw new NumberFormatException();
                }
                return number << shift;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + LogSafe.text(value, 40)
                        + "' is not a byte count like 1048576, 512KiB, 16MiB or 1GiB");
            }
        }
    }

    public static final class ProfileConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return HeartbeatProfile.named(value).id();
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A client id, held to the one rule the client's builder and the server apply ({@link ClientIds}). */
    static final class ClientIdConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String problem = ClientIds.problem(value);
            if (problem != null) {
                throw new TypeConversionException(problem); // names index and code point, never echoes the id
            }
            return value;
        }
    }

    /**
     * A source network in CIDR form, held to the server's own rule ({@link SourceNetworks}) while the flags
     * are parsed, so that a bad one is refused with the flag, or the config file's line, that gave it.
     */
    static final class NetworkConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return SourceNetworks.check(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage()); // quotes the value escaped and cut short
            }
        }
    }

    /**
     * A Redis URI, held to the cluster's own reading of one ({@link ClusterView#address}); the error never
     * echoes it, since it may carry a password.
     */
    static final class RedisUriConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                ClusterView.address(value);
                return value;
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A cluster or node name, held to the cluster's rule for them ({@link Keys#checkName}). */
    static final class ClusterNameConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return Keys.checkName(value, "'" + LogSafe.text(value, 80) + "'");
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** An address to bind: an IP literal or a name that resolves now, so a bad one is a usage error. */
    static final class BindAddressConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return InetAddress.getByName(value).getHostAddress();
            } catch (UnknownHostException | SecurityException e) {
                throw new TypeConversionException("'" + value + "' is not an IP address or a host name that resolves");
            }
        }
    }

    public static final class HostPortConverter implements ITypeConverter<InetSocketAddress> {
        /** Resolves an address this converter made: it keeps host names as typed, unresolved. */
        public static InetSocketAddress resolved(InetSocketAddress typed) {
            return new InetSocketAddress(typed.getHostString(), typed.getPort());
        }

        @Override
        public InetSocketAddress convert(String value) {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new TypeConversionException("'" + value + "' is not host:port");
            }
            try {
                int port = Integer.parseInt(value.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
                return InetSocketAddress.createUnresolved(value.substring(0, colon), port);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' has no valid port (1-65535)");
            }
        }
    }
}
