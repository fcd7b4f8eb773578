package dev.batchinfer.client;

/** A path and its query: each parameter encoded, one given null or empty left out (the API's default). */
final class Query {

  private final StringBuilder b;
  private char separator;

  Query(String path) {
    this.b = new StringBuilder(path);
    this.separator = path.indexOf('?') < 0 ? '?' : '&';
  }

  Query add(String name, Object value) {
    String v = value == null ? "" : String.valueOf(value);
    if (!v.isEmpty()) {
      b.append(separator).append(BatchClient.encode(name)).append('=').append(BatchClient.encode(v));
      separator = '&';
    }
    return this;
  }

  @Override
  public String toString() {
    return b.toString();
  }
}
