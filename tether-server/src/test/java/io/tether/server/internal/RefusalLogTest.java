package io.tether.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tether.protocol.CloseReason;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * How refused connections reach the log, with time as an argument: a source refused for its identity
 * (UNAUTHENTICATED, FORBIDDEN) writes one line a minute whatever it retries, and the next line says how many
 * were left out; every refusal together writes at most 10 lines a second; the stats count every one.
 */
class RefusalLogTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** Where the admission's clock started: {@link ConnectionRig}'s start. */
    private static final long START = 7_000_000 * ConnectionRig.MS;

    private final ConnectionRig rig = new ConnectionRig(null);
    private final Logger admissionLog = (Logger) LoggerFactory.getLogger(Admission.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void watchTheLog() {
        lines.start();
        admissionLog.addAppender(lines);
    }

    @AfterEach
    void stopWatching() {
        admissionLog.detachAppender(lines);
        rig.close();
    }

    private List<String> logged() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private long rejected() {
        return rig.registry.stats(rig.counts, rig.buffers).rejected();
    }

    @Test
    void aSourceRetryingABadCredentialWritesOneLineAMinuteAndTheNextSaysHowManyWereLeftOut() {
        for (int i = 0; i < 30; i++) { // a retry every 2 s, for a minute less a bit
            rig.admission.rejected("10.0.0.1:" + (50_000 + i), CloseReason.UNAUTHENTICATED, "the token's signature does not verify",
                    START + i * 2 * SECOND);
        }
        rig.admission.rejected("10.0.0.1:50100", CloseReason.FORBIDDEN, "the token was issued for another client id",
                START + 59 * SECOND);
        assertThat(logged()).containsExactly(
                "refused connection from 10.0.0.1:50000: UNAUTHENTICATED - the token's signature does not verify");

        rig.admission.rejected("10.0.0.1:50101", CloseReason.UNAUTHENTICATED, "the token expired at 2026-01-01T00:00:00Z",
                START + 60 * SECOND);
        assertThat(logged()).hasSize(2).last().isEqualTo("refused connection from 10.0.0.1:50101: UNAUTHENTICATED - the token"
                + " expired at 2026-01-01T00:00:00Z (30 more from this address in the last minute left out)");
        assertThat(rejected()).isEqualTo(32);
    }

    @Test
    void eachSourceHasItsOwnMinuteAndProtocolErrorsAreNotHeldPerSource() {
        rig.admission.rejected("10.0.0.1:1", CloseReason.UNAUTHENTICATED, "no token", START);
        rig.admission.rejected("10.0.0.2:1", CloseReason.UNAUTHENTICATED, "no token", START + 1);
        rig.admission.rejected("10.0.0.1:2", CloseReason.FORBIDDEN, "not yours", START + 2);
        rig.admission.rejected("10.0.0.1:3", CloseReason.PROTOCOL_ERROR, "bad handshake magic 0x00000000", START + 3);
        rig.admission.rejected("10.0.0.1:4", CloseReason.PROTOCOL_ERROR, "bad handshake magic 0x00000000", START + 4);
        assertThat(logged()).containsExactly(
                "refused connection from 10.0.0.1:1: UNAUTHENTICATED - no token",
                "refused connection from 10.0.0.2:1: UNAUTHENTICATED - no token",
                "refused connection from 10.0.0.1:3: PROTOCOL_ERROR - bad handshake magic 0x00000000",
                "refused connection from 10.0.0.1:4: PROTOCOL_ERROR - bad handshake magic 0x00000000");
        assertThat(rejected()).isEqualTo(5);
    }

    @Test
    void aFloodFromManySourcesIsCappedAtTenLinesASecondAcrossTheServer() {
        long second = START + 5 * SECOND;
        IntStream.range(0, 50).forEach(i -> rig.admission.rejected("10.0.1." + i + ":1", CloseReason.UNAUTHENTICATED,
                "no token", second + i * 1000L));
        assertThat(logged()).hasSize(10);

        rig.admission.rejected("10.0.2.1:1", CloseReason.UNAUTHENTICATED, "no token", second + SECOND);
        assertThat(logged()).hasSize(11).last().asString().endsWith("no token (40 similar lines suppressed)");
        assertThat(rejected()).isEqualTo(51);
    }

    @Test
    void theMemoryOfSourcesIsBoundedAndStartsOverWhenFull() {
        SourceLogLimit limit = new SourceLogLimit(60 * SECOND, 3);
        assertThat(limit.take("a", 0)).isZero();
        assertThat(limit.take("a", 1)).isEqualTo(-1);
        assertThat(limit.take("b", 2)).isZero();
        assertThat(limit.take("c", 3)).isZero();
        assertThat(limit.take("d", 4)).as("a fourth source: the memory starts over").isZero();
        assertThat(limit.take("a", 5)).as("a is forgotten: one line more, never unbounded state").isZero();
    }
}
