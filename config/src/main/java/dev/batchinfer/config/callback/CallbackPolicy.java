package dev.batchinfer.config.callback;

import dev.batchinfer.config.Env;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where webhooks may go (OWASP SSRF guidance): https only (http when allowed for development), and
 * never to loopback, private, link-local, unique-local, multicast, unspecified or cloud-metadata
 * addresses, however the address is spelled. The API checks the URL when a batch is submitted; the
 * dispatcher checks every address the host resolves to at delivery time and connects to exactly
 * the address it checked (so DNS rebinding cannot swap it). An explicit allow-list of CIDR ranges,
 * off by default, lets development and tests call local receivers.
 *
 * @param allowHttp CALLBACK_ALLOW_HTTP
 * @param allowed CALLBACK_ALLOWED_CIDRS, comma-separated, e.g. {@code 127.0.0.0/8,::1/128}
 */
public record CallbackPolicy(boolean allowHttp, List<Cidr> allowed) {

  /** https only unless a development setup asks for http. */
  public static final boolean DEFAULT_ALLOW_HTTP = false;
  public static final CallbackPolicy STRICT = new CallbackPolicy(false, List.of());

  // Numeric hosts other than canonical dotted decimal (2130706433, 0x7f.1, 0177.0.0.1, 127.1):
  // resolvers disagree about what they mean, so they are refused rather than interpreted.
  private static final Pattern NUMERIC_HOST = Pattern.compile("(?i)(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+))*");
  private static final Pattern CANONICAL_V4 =
      Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

  private static final List<Cidr> BLOCKED = List.of(
      Cidr.parse("0.0.0.0/8"), Cidr.parse("10.0.0.0/8"), Cidr.parse("100.64.0.0/10"), Cidr.parse("127.0.0.0/8"),
      Cidr.parse("169.254.0.0/16"), Cidr.parse("172.16.0.0/12"), Cidr.parse("192.0.0.0/24"),
      Cidr.parse("192.0.2.0/24"), Cidr.parse("192.168.0.0/16"), Cidr.parse("198.18.0.0/15"),
      Cidr.parse("198.51.100.0/24"), Cidr.parse("203.0.113.0/24"), Cidr.parse("224.0.0.0/4"),
      Cidr.parse("240.0.0.0/4"),
      Cidr.parse("::/128"), Cidr.parse("::1/128"), Cidr.parse("64:ff9b::/96"), Cidr.parse("100::/64"),
      Cidr.parse("2001:db8::/32"), Cidr.parse("fc00::/7"), Cidr.parse("fe80::/10"), Cidr.parse("ff00::/8"));

  public static CallbackPolicy from(Env env) {
    List<Cidr> allowed = new ArrayList<>();
    for (String part : env.string("CALLBACK_ALLOWED_CIDRS", "").split(",")) {
      if (!part.isBlank()) {
        try {
          allowed.add(Cidr.parse(part.trim()));
        } catch (IllegalArgumentException e) {
          throw new Env.SettingException("CALLBACK_ALLOWED_CIDRS must be CIDR ranges such as 127.0.0.0/8,::1/128: " + e.getMessage());
        }
      }
    }
    return new CallbackPolicy(env.bool("CALLBACK_ALLOW_HTTP", DEFAULT_ALLOW_HTTP), List.copyOf(allowed));
  }

  /** The form of a callback URL, before any DNS: what the API checks at submit. */
  public Target checkUrl(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      // The reason and where, not the exception's message: that repeats the whole URL, tokens in its query
      // included, into logs and delivery records.
      throw new RejectedCallbackException("is not a valid URL: " + e.getReason()
          + (e.getIndex() >= 0 ? " at character " + (e.getIndex() + 1) : ""));
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(scheme.equals("http") && allowHttp)) {
      throw new RejectedCallbackException(allowHttp ? "must be an http or https URL" : "must be an https URL");
    }
    if (uri.getRawUserInfo() != null || uri.getRawAuthority() != null && uri.getRawAuthority().contains("@")) {
      throw new RejectedCallbackException("must not contain user information (user@host)");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new RejectedCallbackException("must name a host");
    }
    if (uri.getFragment() != null) {
      throw new RejectedCallbackException("must not have a fragment");
    }
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    while (bare.endsWith(".")) {
      bare = bare.substring(0, bare.length() - 1); // "localhost." is localhost
    }
    String lower = bare.toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) {
      checkAddress(literal(bare));
    } else if (NUMERIC_HOST.matcher(bare).matches()) {
      if (!CANONICAL_V4.matcher(bare).matches()) {
        throw new RejectedCallbackException("host " + host + " is a numeric address in an ambiguous form; write it as a.b.c.d");
      }
      checkAddress(literal(bare));
    } else if (lower.equals("localhost") || lower.endsWith(".localhost") || lower.endsWith(".internal")
        || lower.endsWith(".local")) {
      if (allowed.isEmpty()) {
        throw new RejectedCallbackException("host " + host + " is a local name; callbacks must reach a public address");
      }
    }
    int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return new Target(scheme, bare, port, path + query);
  }

  /**
   * Resolves the target's host and returns the first address that may be called.
   *
   * @throws RejectedCallbackException if any resolved address is forbidden (a name that resolves
   *     to both public and private addresses is refused as a whole)
   */
  public InetAddress resolve(Target target) {
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(target.host());
    } catch (UnknownHostException e) {
      throw new UnresolvedCallbackException(target.host());
    }
    for (InetAddress a : all) {
      checkAddress(a);
    }
    return all[0];
  }

  /** Throws unless {@code address} is public or explicitly allowed. */
  public void checkAddress(InetAddress address) {
    InetAddress a = unmapped(address);
    for (Cidr c : allowed) {
      if (c.contains(a)) {
        return;
      }
    }
    if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
        || a.isMulticastAddress() || BLOCKED.stream().anyMatch(c -> c.contains(a))) {
      throw new RejectedCallbackException("points at " + a.getHostAddress()
          + ", a loopback, private, link-local, multicast or metadata address");
    }
  }

  /** ::ffff:a.b.c.d and ::a.b.c.d are the IPv4 address they carry. */
  static InetAddress unmapped(InetAddress a) {
    if (a instanceof Inet6Address) {
      byte[] b = a.getAddress();
      boolean zeros = true;
      for (int i = 0; i < 10; i++) {
        zeros &= b[i] == 0;
      }
      boolean mapped = zeros && (b[10] == (byte) 0xff && b[11] == (byte) 0xff || b[10] == 0 && b[11] == 0 && !allZero(b, 12));
      if (mapped) {
        try {
          return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException impossible) {
          throw new IllegalStateException(impossible);
        }
      }
    }
    return a;
  }

  private static boolean allZero(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static InetAddress literal(String text) {
    try {
      // A literal never triggers a DNS lookup.
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new RejectedCallbackException("host " + text + " is not a valid address");
    }
  }

  /** The parts of a callback URL a delivery needs. {@code pathAndQuery} is sent as is. */
  public record Target(String scheme, String host, int port, String pathAndQuery) {
    public boolean tls() {
      return scheme.equals("https");
    }
  }

  /** An IPv4 or IPv6 range. */
  public record Cidr(byte[] network, int prefix) {
    public static Cidr parse(String text) {
      int slash = text.indexOf('/');
      String addr = slash < 0 ? text : text.substring(0, slash);
      InetAddress a;
      try {
        a = InetAddress.getByName(addr);
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("not an address: " + addr);
      }
      int bits = a.getAddress().length * 8;
      int prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
      if (prefix < 0 || prefix > bits || !(a instanceof Inet4Address || a instanceof Inet6Address)) {
        throw new IllegalArgumentException("bad prefix in " + text);
      }
      return new Cidr(a.getAddress(), prefix);
    }

    public boolean contains(InetAddress address) {
      byte[] b = address.getAddress();
      if (b.length != network.length) {
        return false;
      }
      for (int i = 0; i < prefix; i++) {
        int mask = 0x80 >> (i % 8);
        if ((b[i / 8] & mask) != (network[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    }
  }
}
