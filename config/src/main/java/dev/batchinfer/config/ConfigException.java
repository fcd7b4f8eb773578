package dev.batchinfer.config;

/**
 * The root of what configuration and callback policy throw: a setting that cannot be read, a
 * callback address the policy refuses. Not retriable: the setting or the address has to change.
 */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
