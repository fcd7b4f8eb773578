/** Internal to gpu-worker: the chunk consumer, its queue and offsets. Other modules use the service through its app and settings. */
@Internal
package dev.batchinfer.worker.consume;

import dev.batchinfer.topics.Internal;
