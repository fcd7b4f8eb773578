package dev.batchinfer.observability;

/**
 * A service's answer to {@code GET /health/ready} on its management port: ready to do its work, or
 * why not (a consumer not yet in its group, a topology still restoring, a process stopping).
 *
 * @param ready whether an orchestrator should count the process as serving
 * @param detail a few words for the operator, such as {@code "streams REBALANCING"}
 */
public record Readiness(boolean ready, String detail) {

  /** Asked on every probe, on the management server's thread: it reads state, it never waits on I/O. */
  @FunctionalInterface
  public interface Check {
    Readiness now();
  }

  public static Readiness ready(String detail) {
    return new Readiness(true, detail);
  }

  public static Readiness notReady(String reason) {
    return new Readiness(false, reason);
  }

  /** The body of the answer: {@code {"status":"ready"|"not_ready","detail":"..."}}. */
  String json() {
    StringBuilder b = new StringBuilder("{\"status\":\"").append(ready ? "ready" : "not_ready").append("\",\"detail\":\"");
    for (char c : String.valueOf(detail).toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append("\"}").toString();
  }
}
