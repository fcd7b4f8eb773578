package dev.batchinfer.worker.consume;

import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.worker.batch.ChunkSource;
import dev.batchinfer.worker.batch.PendingChunk;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Chunks fetched but not yet started, one FIFO per priority, served by stride scheduling: each
 * priority gets a share of chunks proportional to its weight whenever several are waiting, so high
 * goes first but low is never starved. A priority that was idle does not bank credit. Within a
 * priority, tenants take turns ({@link TenantRoundRobin}).
 */
public final class PriorityChunkQueue implements ChunkSource {

  private static final long STRIDE_SCALE = 1_000_000L;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private volatile Runnable onTaken = () -> { };
  private final Map<Priority, TenantRoundRobin> queues = new EnumMap<>(Priority.class);
  private final Map<Priority, Long> stride = new EnumMap<>(Priority.class);
  private final Map<Priority, Long> pass = new EnumMap<>(Priority.class);
  private long globalPass;

  /** @param weights relative share of each priority when all are waiting, e.g. high 16, normal 4, low 1 */
  public PriorityChunkQueue(Map<Priority, Integer> weights) {
    for (Priority p : Priority.values()) {
      int w = weights.getOrDefault(p, 1);
      // A weight above the scale would get stride 0: its pass would never advance and it would
      // starve every other priority.
      if (w < 1 || w > STRIDE_SCALE) {
        throw new IllegalArgumentException("weight of " + p.wire() + " must be from 1 to " + STRIDE_SCALE + ", got " + w);
      }
      queues.put(p, new TenantRoundRobin());
      stride.put(p, STRIDE_SCALE / w);
      pass.put(p, 0L);
    }
  }

  public void add(Priority priority, PendingChunk chunk) {
    lock.lock();
    try {
      TenantRoundRobin q = queues.get(priority);
      if (q.isEmpty()) {
        pass.put(priority, Math.max(pass.get(priority), globalPass));
      }
      q.add(chunk);
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  public int size(Priority priority) {
    lock.lock();
    try {
      return queues.get(priority).size();
    } finally {
      lock.unlock();
    }
  }

  /** Chunks waiting, all priorities together. */
  public int size() {
    int n = 0;
    for (Priority p : Priority.values()) {
      n += size(p);
    }
    return n;
  }

  /** Drops waiting chunks that match, e.g. those of partitions this worker no longer owns. */
  public int removeIf(Predicate<PendingChunk> drop) {
    lock.lock();
    try {
      int removed = 0;
      for (TenantRoundRobin q : queues.values()) {
        removed += q.removeIf(drop);
      }
      return removed;
    } finally {
      lock.unlock();
    }
  }

  /** Called (outside the lock) each time a chunk leaves the queue: the consumer waits for room. */
  public void onTaken(Runnable listener) {
    this.onTaken = listener;
  }

  @Override
  public PendingChunk poll() {
    PendingChunk c;
    lock.lock();
    try {
      c = take();
    } finally {
      lock.unlock();
    }
    return taken(c);
  }

  @Override
  public PendingChunk poll(long nanos) throws InterruptedException {
    PendingChunk c;
    lock.lock();
    try {
      long left = nanos;
      while ((c = take()) == null && left > 0) {
        left = notEmpty.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
    return taken(c);
  }

  private PendingChunk taken(PendingChunk c) {
    if (c != null) {
      onTaken.run();
    }
    return c;
  }

  /** Wakes threads waiting in {@link #poll(long)} (on shutdown). */
  public void wakeAll() {
    lock.lock();
    try {
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private PendingChunk take() {
    Priority best = null;
    for (Priority p : Priority.values()) { // declared high first: ties go to the higher priority
      if (!queues.get(p).isEmpty() && (best == null || pass.get(p) < pass.get(best))) {
        best = p;
      }
    }
    if (best == null) {
      return null;
    }
    globalPass = pass.get(best);
    pass.put(best, pass.get(best) + stride.get(best));
    return queues.get(best).poll();
  }

}
