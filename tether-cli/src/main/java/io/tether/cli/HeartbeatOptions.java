package io.tether.cli;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.heartbeat.HeartbeatProfile;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --profile} plus explicit overrides, shared by every command that heartbeats. Each command makes its
 * own instance with its default profile, so help shows that default.
 */
public final class HeartbeatOptions {
    @Option(names = "--profile", paramLabel = "NAME", converter = CliTypes.ProfileConverter.class,
            description = "Heartbeat profile: standard (10s/30s), strict (2s/6s), classic (3s x 5 missed), "
                    + "mobile (60s/180s). Default: ${DEFAULT-VALUE}.")
    String profile;

    @Option(names = "--heartbeat-interval", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Ping interval on an idle connection, e.g. 2s; overrides the profile.")
    @Within(min = "1ms", max = "1h")
    Duration interval;

    @Option(names = "--heartbeat-timeout", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Silence after which a peer is declared dead, e.g. 6s; overrides the profile.")
    @Within(min = "1ms", max = "24h")
    Duration timeout;

    /** For picocli, which needs a no-argument constructor: the standard profile. */
    public HeartbeatOptions() {
        this(HeartbeatProfile.STANDARD);
    }

    public HeartbeatOptions(HeartbeatProfile defaultProfile) {
        this.profile = defaultProfile.id();
    }

    /** The profile's policy with any explicit values applied; a bad combination is a usage error. */
    public HeartbeatPolicy resolve(CommandLine commandLine) {
        HeartbeatPolicy base = HeartbeatProfile.named(profile).policy();
        Duration newInterval = interval != null ? interval : base.interval();
        // An explicit interval alone keeps the profile's ratio, so "--heartbeat-interval 1s" stays sensible.
        Duration newTimeout = timeout != null ? timeout
                : interval != null ? Duration.ofMillis(Math.round(newInterval.toMillis() * base.missedPeriods()))
                : base.timeout();
        try {
            return HeartbeatPolicy.of(newInterval, newTimeout);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage());
        }
    }
}
