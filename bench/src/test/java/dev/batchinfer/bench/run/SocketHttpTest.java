package dev.batchinfer.bench.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The load generator's HTTP client against the JDK's HTTP server on loopback. */
class SocketHttpTest {

  private HttpServer server;
  private final List<Integer> clientPorts = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/echo", exchange -> {
      clientPorts.add(exchange.getRemoteAddress().getPort());
      byte[] in = exchange.getRequestBody().readAllBytes();
      byte[] out = (exchange.getRequestMethod() + " " + in.length + " " + exchange.getRequestHeaders().getFirst("X-Test"))
          .getBytes(StandardCharsets.UTF_8);
      // Length 0 makes the JDK's server answer chunked; the query asks for that.
      boolean chunked = "chunked".equals(exchange.getRequestURI().getQuery());
      exchange.sendResponseHeaders(201, chunked ? 0 : out.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(out);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void answers_with_a_length_or_in_chunks_come_back_whole_over_one_kept_alive_connection() throws IOException {
    SocketHttp http = new SocketHttp("http://127.0.0.1:" + server.getAddress().getPort());
    byte[] body = new byte[400_000];

    SocketHttp.Response sized = http.exchange("POST", "/echo", Map.of("X-Test", "a"), body);
    SocketHttp.Response chunked = http.exchange("POST", "/echo?chunked", Map.of("X-Test", "b"), body);
    SocketHttp.Response get = http.exchange("GET", "/echo", Map.of("X-Test", "c"), null);

    assertThat(sized.status()).isEqualTo(201);
    assertThat(new String(sized.body(), StandardCharsets.UTF_8)).isEqualTo("POST 400000 a");
    assertThat(new String(chunked.body(), StandardCharsets.UTF_8)).isEqualTo("POST 400000 b");
    assertThat(new String(get.body(), StandardCharsets.UTF_8)).isEqualTo("GET 0 c");
    assertThat(clientPorts).hasSize(3).as("one connection, kept alive").containsOnly(clientPorts.get(0));
  }

  @Test
  void a_missing_route_is_an_answer_not_an_error() throws IOException {
    SocketHttp http = new SocketHttp("http://127.0.0.1:" + server.getAddress().getPort());
    assertThat(http.exchange("GET", "/nowhere", Map.of(), null).status()).isEqualTo(404);
    assertThat(http.exchange("GET", "/echo", Map.of("X-Test", "d"), null).status()).isEqualTo(201);
  }
}
