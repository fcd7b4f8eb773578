package dev.batchinfer.callback.deliver;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A callback URL as log lines may show it: {@code scheme://host:port/path}. Receivers often put a
 * token in the query string (or user information), and logs travel further than the batch record,
 * so neither is ever logged; every log line of the dispatcher that names a URL goes through here.
 */
public final class LoggedUrl {

  private LoggedUrl() {}

  public static String of(String url) {
    if (url == null) {
      return "(no URL)";
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "(unparseable URL)"; // its text could hold anything
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null) {
      return scheme + "://(no host)";
    }
    int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return scheme + "://" + uri.getHost() + ":" + port + path;
  }
}
