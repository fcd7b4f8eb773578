package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/** A batch's result lines, fetched a page at a time as they are read: memory holds one page. */
final class ResultPages implements Iterator<JsonNode> {

  private final Function<Long, JsonNode> fetch;
  private long offset;
  private Iterator<JsonNode> page = List.<JsonNode>of().iterator();
  private boolean last;

  /** @param fetch the page at an offset */
  ResultPages(Function<Long, JsonNode> fetch) {
    this.fetch = fetch;
  }

  @Override
  public boolean hasNext() {
    while (!page.hasNext() && !last) {
      JsonNode p = fetch.apply(offset);
      List<JsonNode> lines = new ArrayList<>();
      p.path("results").forEach(lines::add);
      page = lines.iterator();
      JsonNode next = p.get("next_offset");
      if (next == null || next.isNull() || lines.isEmpty()) {
        last = true;
      } else {
        offset = next.asLong();
      }
    }
    return page.hasNext();
  }

  @Override
  public JsonNode next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return page.next();
  }
}
