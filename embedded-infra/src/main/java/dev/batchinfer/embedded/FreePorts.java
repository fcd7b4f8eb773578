package dev.batchinfer.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Picks currently free loopback ports for servers, below the kernel's ephemeral range. A port from that range
 * (what binding port 0 gives) is also what every outgoing connection takes as its local port, so a port picked
 * there for a server that another process starts seconds later can be taken by some client's connection
 * meanwhile (an API started by the chaos harness once failed with "Address already in use" so). Below the
 * range only servers bind; the window left is another harness picking the same port, which the bind test here
 * and the randomness make rare.
 */
public final class FreePorts {
    private static final int LOWEST = 15_000;

    private FreePorts() {
    }

    public static int pick() {
        int top = ephemeralStart();
        for (int attempt = 0; attempt < 500; attempt++) {
            int p = java.util.concurrent.ThreadLocalRandom.current().nextInt(LOWEST, top);
            if (isFree(p)) {
                return p;
            }
        }
        // Bind on 127.0.0.1 (not the wildcard) because that is where our servers listen.
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** The first port of the ephemeral range (Linux's ip_local_port_range; 32768 where it cannot be read). */
    static int ephemeralStart() {
        try {
            String range = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
            int start = Integer.parseInt(range.trim().split("\\s+")[0]);
            return start > LOWEST + 1_000 ? start : 32_768;
        } catch (IOException | RuntimeException unreadable) {
            return 32_768;
        }
    }

    /**
     * A free port {@code p} whose {@code p + offset} is free too (a Redis Cluster node takes its cluster bus at
     * port + 10000), both below 65536.
     */
    public static int pickWithSibling(int offset) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int p = pick();
            if (p + offset < ephemeralStart() && isFree(p + offset)) {
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
