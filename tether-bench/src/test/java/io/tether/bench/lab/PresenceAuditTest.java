package io.tether.bench.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The hostile bench's verdicts come from this audit, so each broken promise must be caught by it. */
class PresenceAuditTest {
    private final PresenceAudit audit = new PresenceAudit("healthy-");

    @Test
    void oneOnlineThenOneOfflinePerSessionIsClean() {
        audit.accept("ONLINE", 1, "healthy-0", "null", 100);
        audit.accept("ONLINE", 2, "x-garbage-1", "null", 101);
        audit.accept("OFFLINE", 2, "x-garbage-1", "PROTOCOL_ERROR", 101);

        assertThat(audit.violations()).isZero();
        assertThat(audit.sessions()).isEqualTo(2);
        assertThat(audit.online()).isEqualTo(1);
        assertThat(audit.strangersOnline()).isZero();
        assertThat(audit.watchedOffline()).isZero();
        assertThat(audit.offlineByReason()).containsEntry("PROTOCOL_ERROR", 1L);
    }

    @Test
    void anOfflineWithoutOnlineASecondOnlineASecondOfflineAndAnOfflineDatedEarlierAreViolations() {
        audit.accept("OFFLINE", 1, "x-hello-reset-1", "CONNECTION_RESET", 100);
        audit.accept("ONLINE", 2, "x-mutated-2", "null", 100);
        audit.accept("ONLINE", 2, "x-mutated-2", "null", 100);
        audit.accept("OFFLINE", 2, "x-mutated-2", "PROTOCOL_ERROR", 101);
        audit.accept("OFFLINE", 2, "x-mutated-2", "PROTOCOL_ERROR", 102);
        audit.accept("ONLINE", 3, "x-garbage-3", "null", 200);
        audit.accept("OFFLINE", 3, "x-garbage-3", "PROTOCOL_ERROR", 199);
        audit.accept("ONLINE", 1, "x-hello-reset-1", "null", 103);

        assertThat(audit.violations()).isEqualTo(5);
        assertThat(audit.firstViolations()).hasSize(5).first().asString().contains("OFFLINE without an ONLINE");
        assertThat(audit.online()).isZero();
    }

    @Test
    void anAttackerStillOnlineIsAStrangerAndAHealthyOfflineIsCounted() {
        audit.accept("ONLINE", 1, "healthy-0", "null", 100);
        audit.accept("ONLINE", 2, "x-hello-reset-1", "null", 100);
        audit.accept("OFFLINE", 1, "healthy-0", "TIMEOUT", 200);

        assertThat(audit.strangersOnline()).isEqualTo(1);
        assertThat(audit.someStrangers()).containsExactly("session 2 (x-hello-reset-1)");
        assertThat(audit.watchedOffline()).isEqualTo(1);
        assertThat(audit.violations()).isZero();
    }
}
