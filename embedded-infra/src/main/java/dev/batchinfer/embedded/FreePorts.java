package dev.batchinfer.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Picks currently free loopback ports. The port is released before the caller binds it, so there is a
 * small race with other processes; callers bind immediately afterwards and the window is milliseconds.
 */
public final class FreePorts {
    private FreePorts() {
    }

    public static int pick() {
        // Bind on 127.0.0.1 (not the wildcard) because that is where our servers listen.
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /**
     * A free port {@code p} whose {@code p + offset} is free too (a Redis Cluster node takes its cluster bus at
     * port + 10000), both below 65536.
     */
    public static int pickWithSibling(int offset) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int p = pick();
            if (p + offset <= 65535 && isFree(p + offset)) {
                return p;
            }
        }
        throw new IllegalStateException("no free loopback port p with p+" + offset + " free");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
