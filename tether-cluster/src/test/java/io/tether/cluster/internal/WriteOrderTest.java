package io.tether.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.RedisProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node's writes apply in its order, each once, whatever order Redis receives them in: a write that
 * overtakes an earlier one (the earlier was sent again whole after Redis lost the script) is refused as a
 * gap without effect, and a write received twice applies once.
 */
class WriteOrderTest {

    private static List<String> claim(RedisLink link, String epoch, int seq, String client) throws Exception {
        return link.run(Script.CLAIM, "n", epoch, Integer.toString(seq), client, Integer.toString(seq), "0",
                "127.0.0.1:1", "", "0", "0").get(5, TimeUnit.SECONDS);
    }

    private static List<String> release(RedisLink link, String epoch, int seq, String client, int session)
            throws Exception {
        return link.run(Script.RELEASE, "n", epoch, Integer.toString(seq), client, Integer.toString(session),
                "CLIENT_CLOSED", "bye", "0").get(5, TimeUnit.SECONDS);
    }

    @Test
    void aWriteThatOvertakesAnEarlierOneWaitsForItAndARepeatAppliesOnce() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
             RedisLink link = RedisLink.connect(redis.uri(), new Keys("tether"), Duration.ofSeconds(2), 1_000_000)) {
            String epoch = link.run(Script.JOIN, "n", "127.0.0.1:1", "60000").get(5, TimeUnit.SECONDS).get(1);

            assertThat(release(link, epoch, 2, "a", 1)).containsExactly("GAP");
            assertThat(claim(link, epoch, 1, "a")).containsExactly("ONLINE");
            assertThat(release(link, epoch, 2, "a", 1)).containsExactly("OFFLINE");
            assertThat(release(link, epoch, 2, "a", 1)).containsExactly("DUP");
            assertThat(claim(link, epoch, 1, "a")).containsExactly("DUP");
            assertThat(claim(link, epoch, 4, "b")).containsExactly("GAP");

            redis.command("SCRIPT", "FLUSH"); // as a restart would: the next writes go whole
            assertThat(claim(link, epoch, 3, "b")).containsExactly("ONLINE");
            assertThat(link.text().xlen("tether:{tether}:events").get(5, TimeUnit.SECONDS)).isEqualTo(3);
            assertThat(link.text().hkeys("tether:{tether}:clients").get(5, TimeUnit.SECONDS)).containsExactly("b");
        }
    }
}
