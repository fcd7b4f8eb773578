package dev.batchinfer.api.read;

import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchRecords;
import dev.batchinfer.topics.message.BatchStatus;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /v1/batches?status=&model=&limit=&after=}: the caller's batches, newest first, with a
 * cursor ({@code after} = the last batch id of the previous page). Filters are applied while
 * scanning, at most {@link #SCAN_FACTOR} times the page size per request.
 */
public final class BatchList {

  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;
  static final int SCAN_FACTOR = 10;

  private final BatchRecords store;
  private final BatchView view;

  public BatchList(BatchRecords store, BatchView view) {
    this.store = store;
    this.view = view;
  }

  public void list(Context ctx) {
    String tenant = Authenticator.principal(ctx).tenant();
    int limit = QueryParams.limit(ctx, DEFAULT_LIMIT, MAX_LIMIT);
    String status = ctx.queryParam("status");
    if (status != null && Arrays.stream(BatchStatus.values()).noneMatch(s -> s.wire().equals(status))) {
      throw ApiException.invalid("status", "unknown status \"" + status + "\": use one of "
          + String.join(", ", Arrays.stream(BatchStatus.values()).map(BatchStatus::wire).toList()));
    }
    String model = ctx.queryParam("model");
    String after = ctx.queryParam("after");
    List<Map<String, Object>> page = new ArrayList<>();
    String cursor = after;
    boolean more = true;
    int scanned = 0;
    while (page.size() < limit && scanned < limit * SCAN_FACTOR) {
      List<String> ids = store.listIds(tenant, cursor, limit);
      if (ids.isEmpty()) {
        more = false;
        break;
      }
      for (String id : ids) {
        scanned++;
        cursor = id;
        Optional<BatchRecord> r = store.find(tenant, id);
        if (r.isPresent() && (status == null || r.get().status().wire().equals(status))
            && (model == null || r.get().model().equals(model))) {
          page.add(view.status(r.get()));
          if (page.size() == limit) {
            break;
          }
        }
      }
    }
    if (more && cursor != null && store.listIds(tenant, cursor, 1).isEmpty()) {
      more = false;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("data", page);
    body.put("next_after", more ? cursor : null);
    ctx.json(body);
  }

}
