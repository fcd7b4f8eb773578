package dev.batchinfer.api.submit;

import dev.batchinfer.api.problem.ApiException;
import io.javalin.http.Context;
import java.io.InputStream;

/**
 * How the API reads a request body: refused from its Content-Length when over MAX_REQUEST_MB, cut
 * off at that limit when it has none, bounded in time (see {@link UploadGuard}), and, when it is read
 * whole, given room in the body memory before a byte is read (see {@link BodyMemory}): its
 * Content-Length, or MAX_REQUEST_MB when it has none until it ends.
 */
public final class RequestBodies {

  private final long maxRequestBytes;
  private final UploadGuard.Limits limits;
  private final BodyMemory memory;

  /**
   * @param maxRequestBytes MAX_REQUEST_MB
   * @param limits how long and how slowly a body may arrive (UPLOAD_TIMEOUT, UPLOAD_MIN_BYTES_PER_SECOND)
   * @param memory room for the bodies read whole (BODY_MEMORY_MB)
   */
  public RequestBodies(long maxRequestBytes, UploadGuard.Limits limits, BodyMemory memory) {
    this.maxRequestBytes = maxRequestBytes;
    this.limits = limits;
    this.memory = memory;
  }

  /** The body, holding no room yet: see {@link Body#holdWhole}. */
  public Body open(Context ctx) {
    refuseDeclaredTooLarge(ctx);
    return new Body(ctx);
  }

  /** A body read whole, which stays in the heap until its batch is accepted: room for it is held until closed. */
  public Body whole(Context ctx) {
    Body body = open(ctx);
    body.holdWhole();
    return body;
  }

  /** Refused before a byte is read; a body without Content-Length is cut off at the same limit. */
  private void refuseDeclaredTooLarge(Context ctx) {
    long declared = ctx.contentLength();
    if (declared > maxRequestBytes) {
      throw ApiException.tooLarge("", "the body is " + declared + " bytes, over the limit of " + maxRequestBytes
          + " bytes: split it into smaller batches");
    }
  }

  /** A body to read, and the room it holds; closing it gives the room back. Not thread-safe: one request reads it. */
  public final class Body implements AutoCloseable {
    private final long declaredLength;
    private final InputStream stream;
    private BodyMemory.Hold hold = BodyMemory.Hold.NOTHING;

    private Body(Context ctx) {
      this.declaredLength = ctx.contentLength();
      this.stream = new LimitedInputStream(new UploadGuard(ctx.bodyInputStream(), limits), maxRequestBytes,
          bytes -> hold.shrinkTo(bytes));
    }

    public InputStream stream() {
      return stream;
    }

    /**
     * Takes room for the whole body, before its first byte is read, for a body that stays in the
     * heap until its batch is accepted. A body only hashed or streamed a chunk at a time needs none.
     *
     * @throws ApiException 503 if no room came in time
     */
    public void holdWhole() {
      if (hold == BodyMemory.Hold.NOTHING) {
        hold = memory.hold(declaredLength, maxRequestBytes);
      }
    }

    @Override
    public void close() {
      hold.close();
    }
  }
}
