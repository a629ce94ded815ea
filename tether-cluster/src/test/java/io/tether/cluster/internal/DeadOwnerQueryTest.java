package io.tether.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.RedisProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Queries stop seeing a dead node's sessions the moment its lease is expired, before the reaper has written
 * a single OFFLINE; the reaper's NODE_LOST events then follow.
 */
class DeadOwnerQueryTest {

    @Test
    void aDeadIncarnationsSessionsAreOfflineToQueriesBeforeTheyAreReaped() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
             RedisLink link = RedisLink.connect(redis.uri(), new Keys("tether"), Duration.ofSeconds(2), 1_000_000)) {
            Owners owners = new Owners(link);
            String ghost = link.run(Script.JOIN, "ghost", "127.0.0.1:1", "60000").get(5, TimeUnit.SECONDS).get(1);
            link.run(Script.CLAIM, "ghost", ghost, "1", "gus", "1", "0", "127.0.0.1:2", "", "0", "0").get(5, TimeUnit.SECONDS);
            List<String> joined = link.run(Script.JOIN, "x", "127.0.0.1:3", "60000").get(5, TimeUnit.SECONDS);
            String x = joined.get(1);
            link.run(Script.CLAIM, "x", x, "1", "xia", "1", "0", "127.0.0.1:4", "", "0", "0").get(5, TimeUnit.SECONDS);
            // The ghost's lease lapses (its deadline set in the past rather than waited for) and nobody has
            // expired it yet: it is still a member.
            link.text().zadd("tether:{tether}:nodes", 0, "ghost").get(5, TimeUnit.SECONDS);
            assertThat(owners.count().get(5, TimeUnit.SECONDS)).isEqualTo(2);

            List<String> renewed = link.run(Script.RENEW, "x", x, "60000", "1000", joined.get(2)).get(5, TimeUnit.SECONDS);
            assertThat(renewed.subList(0, 2)).containsExactly("OK", "1"); // x expired the ghost and holds the reaping
            String y = link.run(Script.JOIN, "y", "127.0.0.1:5", "60000").get(5, TimeUnit.SECONDS).get(1);
            assertThat(link.run(Script.RENEW, "y", y, "60000", "1000", joined.get(2)).get(5, TimeUnit.SECONDS)
                    .subList(0, 2)).containsExactly("OK", "0"); // one reaper at a time
            assertThat(link.run(Script.RENEW, "x", x, "60000", "1000", joined.get(2)).get(5, TimeUnit.SECONDS)
                    .subList(0, 2)).containsExactly("OK", "1"); // x keeps it while it renews
            assertThat(owners.find("gus").get(5, TimeUnit.SECONDS)).isEmpty();
            assertThat(owners.find("xia").get(5, TimeUnit.SECONDS)).isPresent();
            assertThat(owners.count().get(5, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(link.text().xlen("tether:{tether}:events").get(5, TimeUnit.SECONDS)).isEqualTo(2); // no OFFLINE yet

            assertThat(link.run(Script.REAP, "500").get(5, TimeUnit.SECONDS)).containsExactly("1", "0", "ghost:" + ghost);
            assertThat(owners.count().get(5, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(link.text().xlen("tether:{tether}:events").get(5, TimeUnit.SECONDS)).isEqualTo(3);
        }
    }
}
