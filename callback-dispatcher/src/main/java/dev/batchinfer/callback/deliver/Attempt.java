package dev.batchinfer.callback.deliver;

import java.time.Duration;

/**
 * What one delivery attempt got.
 *
 * @param status the HTTP status, or 0 when there was no response
 * @param error why there was no response (timeout, refused ...), or null
 */
public record Attempt(int status, String error, Duration took) {

  public boolean delivered() {
    return status >= 200 && status < 300;
  }
}
