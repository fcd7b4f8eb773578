import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Prints every webhook it receives. Needs only a JDK: java examples/WebhookPrinter.java [port]
 */
public class WebhookPrinter {
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9000;
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      System.out.println(exchange.getRequestMethod() + " " + exchange.getRequestURI()
          + "  webhook-id: " + exchange.getRequestHeaders().getFirst("webhook-id"));
      System.out.println(body);
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
    System.out.println("listening on http://127.0.0.1:" + port + "/hook");
  }
}
