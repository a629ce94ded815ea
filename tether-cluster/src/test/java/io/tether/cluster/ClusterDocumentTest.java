package io.tether.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tether.testing.RedisProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/CLUSTER.md's tables of stream fields and keys are what a real cluster writes. */
class ClusterDocumentTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\|", Pattern.MULTILINE);

    private static List<String> documented(String table) throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "CLUSTER.md"), StandardCharsets.UTF_8);
        int from = doc.indexOf("<!-- " + table + " -->");
        int to = doc.indexOf("<!-- /" + table + " -->");
        assertThat(from).as("table %s in docs/CLUSTER.md", table).isPositive();
        Matcher m = ROW.matcher(doc.substring(from, to));
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void everyStreamEventHasExactlyTheDocumentedFieldsInOrder() throws Exception {
        List<String> fields = documented("stream-fields");
        try (RedisProcess redis = RedisProcess.start(); ClusterRig rig = new ClusterRig(redis.uri())) {
            ClusterRig.Node a = rig.node("a");
            ClusterRig.Node b = rig.node("b");
            rig.client(a, "alice");
            await().atMost(10, TimeUnit.SECONDS).until(() -> rig.owners().containsKey("alice")); // then b's replaces it
            rig.client(b, "alice").close();
            await().atMost(10, TimeUnit.SECONDS).until(() -> rig.stream().size() == 4);
            for (Map<String, String> event : rig.stream()) {
                assertThat(new ArrayList<>(event.keySet())).isEqualTo(fields);
            }
        }
    }

    @Test
    void everyKeyACLusterWritesIsDocumented() throws Exception {
        List<Pattern> keys = documented("keys").stream().map(k -> Pattern.compile(Pattern.quote(k)
                .replace("NAME", "\\E[^}]+\\Q").replace("ID", "\\E[^:]+\\Q").replace("EPOCH", "\\E[0-9]+\\Q"))).toList();
        try (RedisProcess redis = RedisProcess.start(); ClusterRig rig = new ClusterRig(redis.uri())) {
            ClusterRig.Node a = rig.node("a");
            ClusterRig.Node b = rig.node("b");
            rig.client(a, "alice");
            await().atMost(10, TimeUnit.SECONDS).until(() -> rig.owners().containsKey("alice"));
            rig.client(b, "alice");
            await().atMost(10, TimeUnit.SECONDS).until(() -> rig.stream().size() == 3);
            List<String> written = rig.redis().sync().keys("tether:*");
            assertThat(written).hasSizeGreaterThan(8).allSatisfy(key ->
                    assertThat(keys).as(key).anyMatch(p -> p.matcher(key).matches()));
        }
    }
}
