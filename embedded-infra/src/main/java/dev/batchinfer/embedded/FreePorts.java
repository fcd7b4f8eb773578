package dev.batchinfer.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Picks currently free loopback ports. The port is released before the caller binds it, so there is a
 * small race with other processes; callers bind immediately afterwards and the window is milliseconds.
 */
final class FreePorts {
    private FreePorts() {
    }

    static int pick() {
        // Bind on 127.0.0.1 (not the wildcard) because that is where our servers listen.
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
