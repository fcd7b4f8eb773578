package dev.batchinfer.config;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads settings from environment variables (or any map, in tests) with defaults, and fails once,
 * at start, with a message that names the variable, what it got and what it needs.
 */
public final class Env {

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final Map<String, String> vars;

  private Env(Map<String, String> vars) {
    this.vars = Map.copyOf(vars);
  }

  public static Env system() {
    return new Env(System.getenv());
  }

  public static Env of(Map<String, String> vars) {
    return new Env(vars);
  }

  public String string(String name, String defaultValue) {
    String v = vars.get(name);
    return v == null || v.isBlank() ? defaultValue : v.trim();
  }

  public int integer(String name, int defaultValue, int min, int max) {
    String v = vars.get(name);
    if (v == null || v.isBlank()) {
      return defaultValue;
    }
    try {
      int i = Integer.parseInt(v.trim());
      if (i >= min && i <= max) {
        return i;
      }
    } catch (NumberFormatException ignored) {
      // reported below with the allowed range
    }
    throw new SettingException(name + " must be an integer from " + min + " to " + max + ", got '" + v + "'");
  }

  public boolean bool(String name, boolean defaultValue) {
    String v = vars.get(name);
    if (v == null || v.isBlank()) {
      return defaultValue;
    }
    return switch (v.trim().toLowerCase()) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new SettingException(name + " must be true or false, got '" + v + "'");
    };
  }

  /** A duration written like {@code 250ms}, {@code 5s}, {@code 10m}, {@code 2h} or {@code 1d}. */
  public Duration duration(String name, Duration defaultValue) {
    String v = vars.get(name);
    if (v == null || v.isBlank()) {
      return defaultValue;
    }
    return parseDuration(v.trim()).orElseThrow(() ->
        new SettingException(name + " must be a duration such as 250ms, 5s, 10m, 2h or 1d, got '" + v + "'"));
  }

  public static java.util.Optional<Duration> parseDuration(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      return java.util.Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    return java.util.Optional.of(switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    });
  }

  /** A setting has a value the service cannot run with. */
  public static final class SettingException extends ConfigException {
    public SettingException(String message) {
      super(message);
    }
  }
}
