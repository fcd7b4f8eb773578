package dev.batchinfer.worker.consume;

import dev.batchinfer.worker.batch.PendingChunk;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Chunks of one priority, served round-robin between tenants: a tenant with a thousand chunks
 * waiting gets one turn, then the next tenant gets one, so a later small batch of another tenant
 * is not stuck behind a large backlog. Within a tenant, first come first served. Not thread-safe:
 * {@link PriorityChunkQueue} guards it.
 */
final class TenantRoundRobin {

  // Insertion order is the turn order; a tenant that was served goes to the back.
  private final LinkedHashMap<String, ArrayDeque<PendingChunk>> byTenant = new LinkedHashMap<>();
  private int size;

  void add(PendingChunk chunk) {
    byTenant.computeIfAbsent(chunk.chunk().header().tenant(), t -> new ArrayDeque<>()).add(chunk);
    size++;
  }

  PendingChunk poll() {
    Iterator<Map.Entry<String, ArrayDeque<PendingChunk>>> it = byTenant.entrySet().iterator();
    if (!it.hasNext()) {
      return null;
    }
    Map.Entry<String, ArrayDeque<PendingChunk>> first = it.next();
    PendingChunk chunk = first.getValue().poll();
    it.remove();
    if (!first.getValue().isEmpty()) {
      byTenant.put(first.getKey(), first.getValue());
    }
    size--;
    return chunk;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  int removeIf(Predicate<PendingChunk> drop) {
    int removed = 0;
    Iterator<ArrayDeque<PendingChunk>> it = byTenant.values().iterator();
    while (it.hasNext()) {
      ArrayDeque<PendingChunk> q = it.next();
      int before = q.size();
      q.removeIf(drop);
      removed += before - q.size();
      if (q.isEmpty()) {
        it.remove();
      }
    }
    size -= removed;
    return removed;
  }
}
