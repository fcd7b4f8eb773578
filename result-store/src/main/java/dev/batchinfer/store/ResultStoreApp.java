package dev.batchinfer.store;

import dev.batchinfer.store.batch.BatchStore;
import dev.batchinfer.store.progress.ProgressService;
import dev.batchinfer.topics.env.CommonSettings;
import java.nio.file.Path;

/** The result-store service: the progress topology writing status into Redis. */
public final class ResultStoreApp implements AutoCloseable {

  private final BatchStore store;
  private final ProgressService progress;

  private ResultStoreApp(BatchStore store, ProgressService progress) {
    this.store = store;
    this.progress = progress;
  }

  public static ResultStoreApp create(CommonSettings settings, Path stateDir) {
    BatchStore store = BatchStore.connect(settings.redisUrl(), settings.redisKeyPrefix());
    ProgressService progress =
        new ProgressService(settings.kafkaBootstrapServers(), settings.topics(), stateDir, store::writeProgress);
    return new ResultStoreApp(store, progress);
  }

  public ResultStoreApp start() {
    progress.start();
    return this;
  }

  public ProgressService progress() {
    return progress;
  }

  @Override
  public void close() {
    progress.close();
    store.close();
  }
}
