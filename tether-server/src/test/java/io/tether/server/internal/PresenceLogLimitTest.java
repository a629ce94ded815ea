package io.tether.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tether.server.PresenceEvent;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A storm of presence events is written to the log at most {@value ServerRuntime#PRESENCE_LINES_PER_SECOND}
 * lines a second; the first line after the window says how many were left out, and listeners still get
 * every event. Sessions are announced straight through the server's registry: no sockets are needed.
 */
class PresenceLogLimitTest {
    private static final Pattern LEFT_OUT = Pattern.compile(" \\((\\d+) presence lines left out before this one;");

    private final List<PresenceEvent> delivered = new CopyOnWriteArrayList<>();
    private final ServerRuntime runtime = new ServerRuntime(ConnectionRig.config(List.of(delivered::add),
            (session, payload) -> { }, null));
    private int announced;

    @Test
    void aStormOfPresenceEventsIsLoggedAtMostAHundredLinesASecondAndTheRestCounted() {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.list = new CopyOnWriteArrayList<>(); // appended to on the events thread, read here
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger(ServerRuntime.class);
        logger.addAppender(log);
        try {
            for (int i = 0; i < 150; i++) {
                announce();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 150);
            assertThat(log.list.size()).as("lines for 150 events announced at once").isLessThan(150);

            // Once the second is over, the next line counts what was left out. One more event per look.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                announce();
                return log.list.stream().anyMatch(line -> leftOut(line) > 0);
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == announced);
            long counted = log.list.stream().mapToLong(PresenceLogLimitTest::leftOut).sum();
            assertThat(log.list.size() + counted).as("every event is logged or counted").isEqualTo(delivered.size());
            assertThat(delivered).hasSize(announced).allMatch(e -> e.type() == PresenceEvent.Type.ONLINE);
        } finally {
            logger.detachAppender(log);
        }
    }

    /** Puts one more classic session online through the server's registry, which publishes its ONLINE. */
    private void announce() {
        String remote = "10.0.0.2:" + (10_000 + announced);
        SessionLink link = (SessionLink) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {SessionLink.class}, (proxy, method, args) -> {
                    if (method.getName().equals("remote")) {
                        return remote;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        SessionRegistry registry = runtime.registry();
        registry.register(new ServerSession(registry, link, null, "storm-" + announced, registry.nextSessionId(),
                ConnectionRig.HEARTBEAT, true, null));
        announced++;
    }

    private static long leftOut(ILoggingEvent line) {
        Matcher matcher = LEFT_OUT.matcher(line.getFormattedMessage());
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }
}
