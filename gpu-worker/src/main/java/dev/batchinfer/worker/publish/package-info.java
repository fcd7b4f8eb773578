/** Internal to gpu-worker: results and progress written back. Other modules use the service through its app and settings. */
@Internal
package dev.batchinfer.worker.publish;

import dev.batchinfer.topics.Internal;
