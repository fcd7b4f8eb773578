package dev.batchinfer.callback.deliver;

import java.time.Duration;

/**
 * What one delivery attempt got.
 *
 * @param status the HTTP status, or 0 when there was no response
 * @param error why there was no response (timeout, refused, blocked address ...), or null
 * @param retryAfter the receiver's Retry-After, if it sent one
 */
public record Attempt(int status, String error, Duration took, Duration retryAfter) {

  public static Attempt failed(String error, Duration took) {
    return new Attempt(0, error, took, null);
  }

  public boolean delivered() {
    return status >= 200 && status < 300;
  }

  /** 410 Gone: the receiver says this endpoint will never take webhooks again. */
  public boolean gone() {
    return status == 410;
  }

  public String describe() {
    return error != null ? error : "HTTP " + status;
  }
}
