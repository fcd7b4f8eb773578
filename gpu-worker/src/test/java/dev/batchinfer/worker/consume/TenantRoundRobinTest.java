package dev.batchinfer.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.worker.batch.ChunkFixtures;
import dev.batchinfer.worker.batch.PendingChunk;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TenantRoundRobinTest {

  private static PendingChunk chunk(String tenant, int index) {
    ChunkHeader h = new ChunkHeader("b-" + tenant, index, 100, 100, "m", "1.0.0", Priority.NORMAL, 0, tenant);
    return new PendingChunk(new InferenceChunk(h, new long[] {index}, new int[] {0, 1}, new byte[1]), ChunkFixtures.MODEL,
        ChunkFixtures.REF, new int[] {0});
  }

  private static String label(PendingChunk c) {
    return c.chunk().header().tenant() + c.chunk().header().chunkIndex();
  }

  @Test
  void a_later_tenant_is_served_after_one_chunk_of_a_backlog_not_after_all_of_it() {
    TenantRoundRobin q = new TenantRoundRobin();
    for (int i = 0; i < 5; i++) {
      q.add(chunk("a", i));
    }
    q.add(chunk("b", 0));
    q.add(chunk("b", 1));
    List<String> order = new ArrayList<>();
    while (!q.isEmpty()) {
      order.add(label(q.poll()));
    }
    assertThat(order).containsExactly("a0", "b0", "a1", "b1", "a2", "a3", "a4");
  }

  @Test
  void removal_keeps_the_count_and_the_turns_right() {
    TenantRoundRobin q = new TenantRoundRobin();
    q.add(chunk("a", 0));
    q.add(chunk("b", 0));
    q.add(chunk("a", 1));
    assertThat(q.removeIf(c -> c.chunk().header().tenant().equals("a"))).isEqualTo(2);
    assertThat(q.size()).isEqualTo(1);
    assertThat(label(q.poll())).isEqualTo("b0");
    assertThat(q.poll()).isNull();
  }
}
