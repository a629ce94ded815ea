package io.tether.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.LinuxSocket;
import java.io.IOException;
import java.net.BindException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Where SO_REUSEPORT cannot be set, the start fails with the reason. Here the socket is closed under the
 * call, so the kernel refuses the setsockopt (EBADF), as one that does not know the option would (ENOPROTOOPT).
 */
class PortSharingTest {
    private static final String CANNOT = "cannot share 127.0.0.1:7000 with other servers (reusePort, --reuse-port):"
            + " setting SO_REUSEPORT failed: ";

    @Test
    void aSocketOrChannelThatRefusesTheOptionFailsWithTheReason() throws Exception {
        assumeTrue(Epoll.isAvailable(), "Linux, with Netty's native epoll library");
        LinuxSocket socket = LinuxSocket.newSocketStream(); // the compact engine's listener
        socket.close();
        EpollServerSocketChannel channel = new EpollServerSocketChannel(); // a channel listener
        channel.unsafe().closeForcibly();

        List<ThrowingCallable> shares = List.of(() -> PortSharing.share(socket, "127.0.0.1", 7000),
                () -> PortSharing.share(channel, "127.0.0.1", 7000));
        assertThat(shares).allSatisfy(share -> assertThatThrownBy(share)
                .isInstanceOf(IOException.class)
                .hasMessage(CANNOT + ClosedChannelException.class.getName())
                .hasCauseInstanceOf(ClosedChannelException.class));
    }

    @Test
    void aTakenPortIsExplainedOnlyWhenItWasToBeShared() {
        BindException taken = new BindException("bind(..) failed: Address already in use");

        assertThat(PortSharing.bindFailed("127.0.0.1", 7000, false, taken))
                .hasMessage("cannot listen on 127.0.0.1:7000: bind(..) failed: Address already in use")
                .hasCause(taken);
        assertThat(PortSharing.bindFailed("127.0.0.1", 7000, true, taken)).hasMessage("cannot listen on 127.0.0.1:7000:"
                + " bind(..) failed: Address already in use (reusePort shares a port only with sockets that also set"
                + " SO_REUSEPORT, opened by the same user; a socket that did not, or another user's, holds this one)");
        assertThat(PortSharing.bindFailed("127.0.0.1", 80, true, new BindException("Permission denied")))
                .hasMessage("cannot listen on 127.0.0.1:80: Permission denied");
    }
}
