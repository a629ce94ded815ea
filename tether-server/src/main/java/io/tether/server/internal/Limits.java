package io.tether.server.internal;

import java.util.List;

/**
 * The server's limits on what clients may cost it, each with a default in docs/SECURITY.md.
 *
 * @param maxPingsPerInterval      pings per heartbeat interval before TOO_MANY_PINGS strikes
 * @param maxFramesPerSecond       frames other than PING per second per session before RATE_LIMITED strikes
 * @param maxBytesPerSecond        bytes of frames other than PING per second per session, likewise
 * @param maxConnections           open connections on all ports together; more are refused OVERLOADED
 * @param maxHandshakes            connections accepted on the Tether port that have not said HELLO yet
 * @param maxHandshakeRate         connections taken off the listening sockets per second, all ports
 *                                 together; the rest wait in the kernel's accept queue; 0 for no limit
 * @param maxConnectionsPerAddress open connections from one source address; 0 for no limit
 * @param maxBufferedBytes         bytes held across all connections for partial inbound frames and
 *                                 unsent outbound ones; the connection that would exceed it is refused
 * @param legacyMaxPayload         largest data payload a classic client may send
 * @param legacyAllow              source networks (CIDR) the classic port accepts; empty for all
 */
public record Limits(int maxPingsPerInterval, int maxFramesPerSecond, long maxBytesPerSecond, int maxConnections,
                     int maxHandshakes, int maxHandshakeRate, int maxConnectionsPerAddress, long maxBufferedBytes, int legacyMaxPayload,
                     List<String> legacyAllow) {
}
