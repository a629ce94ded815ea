package io.tether.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.tether.testing.RedisProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Owner records damaged by something other than the scripts (a hand-typed HSET) wedge nothing: a query
 * sees no owner, a claim takes the id over, a release and the reaper still declare the session, by the
 * incarnation's own table.
 */
class DamagedRecordTest {

    private static List<String> types(RedisLink link) throws Exception {
        return link.text().xrange("tether:{tether}:events", Range.create("-", "+")).get(5, TimeUnit.SECONDS).stream()
                .map(StreamMessage::getBody).map((Map<String, String> e) -> e.get("type") + " " + e.get("client")
                        + " " + e.get("reason")).toList();
    }

    @Test
    void damagedOwnerRecordsAreReleasedReapedAndOverwrittenNotWedged() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
             RedisLink link = RedisLink.connect(redis.uri(), new Keys("tether"), Duration.ofSeconds(2), 1_000_000)) {
            Owners owners = new Owners(link);
            String epoch = link.run(Script.JOIN, "n", "127.0.0.1:1", "60000").get(5, TimeUnit.SECONDS).get(1);
            for (int i = 1; i <= 3; i++) {
                link.run(Script.CLAIM, "n", epoch, Integer.toString(i), "c" + i, Integer.toString(i), "0",
                        "127.0.0.1:" + i, "", "0", "0").get(5, TimeUnit.SECONDS);
            }
            link.text().hset("tether:{tether}:clients", "c1", "notjson").get(5, TimeUnit.SECONDS);
            link.text().hset("tether:{tether}:clients", "c2", "{}").get(5, TimeUnit.SECONDS);
            link.text().hset("tether:{tether}:clients", "c3", "[1]").get(5, TimeUnit.SECONDS);

            assertThat(owners.find("c1").get(5, TimeUnit.SECONDS)).isEmpty();
            assertThat(link.run(Script.RELEASE, "n", epoch, "4", "c1", "1", "CLIENT_CLOSED", "bye", "0")
                    .get(5, TimeUnit.SECONDS)).containsExactly("OFFLINE");
            assertThat(link.run(Script.CLAIM, "n", epoch, "5", "c2", "5", "0", "127.0.0.1:5", "", "0", "0")
                    .get(5, TimeUnit.SECONDS)).containsExactly("ONLINE");
            assertThat(owners.find("c2").get(5, TimeUnit.SECONDS)).get().extracting(s -> s.sessionId()).isEqualTo(5L);

            link.text().zadd("tether:{tether}:nodes", 0, "n").get(5, TimeUnit.SECONDS); // its lease lapses
            String x = link.run(Script.JOIN, "x", "127.0.0.1:9", "60000").get(5, TimeUnit.SECONDS).get(1);
            link.run(Script.RENEW, "x", x, "60000", "1000",
                    link.text().get("tether:{tether}:generation").get(5, TimeUnit.SECONDS)).get(5, TimeUnit.SECONDS);
            assertThat(link.run(Script.REAP, "500").get(5, TimeUnit.SECONDS)).startsWith("2", "0");

            assertThat(types(link)).containsExactly("ONLINE c1 ", "ONLINE c2 ", "ONLINE c3 ", "OFFLINE c1 CLIENT_CLOSED",
                    "ONLINE c2 ", "OFFLINE c2 NODE_LOST", "OFFLINE c3 NODE_LOST");
            assertThat(link.text().hlen("tether:{tether}:clients").get(5, TimeUnit.SECONDS)).isZero();
        }
    }
}
