package io.tether.cli;

import io.tether.heartbeat.HeartbeatProfile;
import io.tether.util.Durations;
import java.net.InetSocketAddress;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converters that turn flag values into types, each failing with a message fit for one line. */
public final class CliTypes {
    private CliTypes() {
    }

    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class ProfileConverter implements ITypeConverter<HeartbeatProfile> {
        @Override
        public HeartbeatProfile convert(String value) {
            try {
                return HeartbeatProfile.named(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
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
