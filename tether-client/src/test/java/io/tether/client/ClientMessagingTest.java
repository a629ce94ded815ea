package io.tether.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tether.messaging.ConnectionLostException;
import io.tether.messaging.RemoteErrorException;
import io.tether.messaging.RequestTimeoutException;
import io.tether.protocol.CloseReason;
import io.tether.protocol.ErrorCode;
import io.tether.retry.ReconnectBackoff;
import io.tether.server.Session;
import io.tether.server.TetherServer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class ClientMessagingTest extends ClientHarness {
    private final List<String> serverReceived = new CopyOnWriteArrayList<>();

    private TetherServer echoServer() throws Exception {
        return startServer(server(0)
                .messageHandler((session, payload) -> serverReceived.add(new String(payload, UTF_8)))
                .requestHandler((session, payload) -> {
                    String text = new String(payload, UTF_8);
                    return switch (text) {
                        case "hang" -> new CompletableFuture<>();
                        case "fail" -> CompletableFuture.failedFuture(new IllegalStateException("cannot do that"));
                        default -> CompletableFuture.completedFuture(text.toUpperCase(Locale.ROOT).getBytes(UTF_8));
                    };
                }));
    }

    private TetherClient onlineClient(TetherServer server, TetherClient.Builder builder) throws Exception {
        TetherClient client = startClient(builder);
        assertThat(client.awaitOnline(Duration.ofSeconds(5))).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.isOnline(client.clientId()));
        return client;
    }

    @Test
    void dataFlowsBothWays() throws Exception {
        TetherServer server = echoServer();
        List<String> clientReceived = new CopyOnWriteArrayList<>();
        TetherClient client = onlineClient(server, client("duplex", server.address().getPort())
                .messageHandler(payload -> clientReceived.add(new String(payload, UTF_8))));

        client.send("up".getBytes(UTF_8)).get();
        server.session("duplex").orElseThrow().send("down".getBytes(UTF_8)).get();

        await().atMost(Duration.ofSeconds(5)).until(() -> serverReceived.contains("up") && clientReceived.contains("down"));
    }

    @Test
    void requestGetsItsAnswerAsyncAndBlocking() throws Exception {
        TetherServer server = echoServer();
        TetherClient client = onlineClient(server, client("asker", server.address().getPort()));

        assertThat(client.request("hello".getBytes(UTF_8), Duration.ofSeconds(5)).get()).asString(UTF_8).isEqualTo("HELLO");
        assertThat(client.requestBlocking("again".getBytes(UTF_8), Duration.ofSeconds(5))).asString(UTF_8).isEqualTo("AGAIN");
    }

    @Test
    void manyConcurrentRequestsEachGetTheirOwnAnswer() throws Exception {
        TetherServer server = echoServer();
        TetherClient client = onlineClient(server, client("busy", server.address().getPort()));
        List<CompletableFuture<byte[]>> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            answers.add(client.request(("req-" + i).getBytes(UTF_8), Duration.ofSeconds(10)));
        }
        for (int i = 0; i < 500; i++) {
            assertThat(answers.get(i).get()).asString(UTF_8).isEqualTo("REQ-" + i);
        }
    }

    @Test
    void serverCanAskTheClient() throws Exception {
        TetherServer server = echoServer();
        onlineClient(server, client("answerer", server.address().getPort())
                .requestHandler(payload -> CompletableFuture.completedFuture(("client says " + new String(payload, UTF_8)).getBytes(UTF_8))));

        Session session = server.session("answerer").orElseThrow();
        assertThat(session.request("hi".getBytes(UTF_8), Duration.ofSeconds(5)).get()).asString(UTF_8).isEqualTo("client says hi");
    }

    @Test
    void clientWithoutHandlerAnswersTheServersRequestWithAnError() throws Exception {
        TetherServer server = echoServer();
        onlineClient(server, client("mute", server.address().getPort()));

        CompletableFuture<byte[]> answer = server.session("mute").orElseThrow().request(new byte[1], Duration.ofSeconds(5));

        assertThatThrownBy(answer::get).cause().isInstanceOf(RemoteErrorException.class).hasMessageContaining("no request handler")
                .satisfies(e -> assertThat(((RemoteErrorException) e).code()).isEqualTo(ErrorCode.NO_HANDLER));
    }

    @Test
    void requestWithNoAnswerTimesOut() throws Exception {
        TetherServer server = echoServer();
        TetherClient client = onlineClient(server, client("patient", server.address().getPort()));

        assertThatThrownBy(() -> client.requestBlocking("hang".getBytes(UTF_8), Duration.ofMillis(200)))
                .isInstanceOf(RequestTimeoutException.class).hasMessageContaining("within 200 ms");
        assertThat(client.state()).isEqualTo(ClientState.ONLINE);
    }

    @Test
    void failingHandlerBecomesARemoteError() throws Exception {
        TetherServer server = echoServer();
        TetherClient client = onlineClient(server, client("unlucky", server.address().getPort()));

        assertThatThrownBy(() -> client.requestBlocking("fail".getBytes(UTF_8), Duration.ofSeconds(5)))
                .isInstanceOf(RemoteErrorException.class)
                .hasMessageContaining("cannot do that")
                .satisfies(e -> assertThat(((RemoteErrorException) e).code()).isEqualTo(ErrorCode.HANDLER_FAILED));
    }

    @Test
    void pendingRequestsFailAtOnceWhenTheConnectionDies() throws Exception {
        TetherServer server = echoServer();
        TetherClient client = onlineClient(server, client("stranded", server.address().getPort()));
        List<CompletableFuture<byte[]>> pending = List.of(
                client.request("hang".getBytes(UTF_8), Duration.ofMinutes(5)),
                client.request("hang".getBytes(UTF_8), Duration.ofMinutes(5)),
                client.request("hang".getBytes(UTF_8), Duration.ofMinutes(5)));

        server.kick("stranded", "maintenance");

        // Their timeouts are five minutes away; they must fail now, and say why.
        await().atMost(Duration.ofSeconds(5)).until(() -> pending.stream().allMatch(CompletableFuture::isDone));
        for (CompletableFuture<byte[]> request : pending) {
            assertThatThrownBy(request::get).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ConnectionLostException.class).hasMessageContaining("KICKED")
                    .satisfies(e -> assertThat(((ConnectionLostException) e).reason()).isEqualTo(CloseReason.KICKED));
        }
    }

    @Test
    void serverSideRequestsFailAtOnceWhenTheClientLeaves() throws Exception {
        TetherServer server = echoServer();
        TetherClient client = onlineClient(server, client("leaver", server.address().getPort())
                .requestHandler(payload -> new CompletableFuture<>()));
        CompletableFuture<byte[]> pending = server.session("leaver").orElseThrow().request(new byte[1], Duration.ofMinutes(5));

        client.close();

        await().atMost(Duration.ofSeconds(5)).until(pending::isDone);
        assertThatThrownBy(pending::get).cause().isInstanceOf(ConnectionLostException.class);
    }

    @Test
    void sendingWhileNotOnlineFailsAtOnce() throws Exception {
        TetherClient client = startClient(client("lonely", 1).reconnectBackoff(
                new ReconnectBackoff(Duration.ofSeconds(5), Duration.ofSeconds(5), 1.0)));

        assertThat(client.send(new byte[1])).isCompletedExceptionally();
        assertThatThrownBy(() -> client.requestBlocking(new byte[1], Duration.ofSeconds(30)))
                .isInstanceOf(ConnectionLostException.class).hasMessageContaining("not online");
    }

    @Test
    void oversizedPayloadIsRefusedBeforeItIsSent() throws Exception {
        TetherServer server = startServer(server(0).maxPayload(1024));
        TetherClient client = onlineClient(server, client("bulky", server.address().getPort()));

        assertThatThrownBy(() -> client.send(new byte[2048]).get()).cause()
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the peer's maximum of 1024");
        assertThat(client.state()).isEqualTo(ClientState.ONLINE);
    }
}
