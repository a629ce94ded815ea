package io.tether.heartbeat;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Named heartbeat settings for common situations. */
public enum HeartbeatProfile {
    /** Ping every 10 s, offline after 30 s of silence: the default. */
    STANDARD(HeartbeatPolicy.of(Duration.ofSeconds(10), Duration.ofSeconds(30))),
    /** Ping every 2 s, offline after 6 s: fast detection on reliable networks. */
    STRICT(HeartbeatPolicy.of(Duration.ofSeconds(2), Duration.ofSeconds(6))),
    /** The classic socket-heartbeat design: a 3 s period, offline after 5 missed periods (15 s). */
    CLASSIC(HeartbeatPolicy.ofMissedPeriods(Duration.ofSeconds(3), 5)),
    /** Ping every 60 s, offline after 180 s: saves radio and battery on phones. */
    MOBILE(HeartbeatPolicy.of(Duration.ofSeconds(60), Duration.ofSeconds(180)));

    private final HeartbeatPolicy policy;

    HeartbeatProfile(HeartbeatPolicy policy) {
        this.policy = policy;
    }

    public HeartbeatPolicy policy() {
        return policy;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Looks a profile up by its lower-case name, as used on the command line. */
    public static HeartbeatProfile named(String name) {
        for (HeartbeatProfile profile : values()) {
            if (profile.id().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return profile;
            }
        }
        throw new IllegalArgumentException("unknown heartbeat profile '" + name + "' (known: "
                + Arrays.stream(values()).map(HeartbeatProfile::id).collect(Collectors.joining(", ")) + ")");
    }
}
