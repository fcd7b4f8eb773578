/** Internal to gpu-worker: shadow runs of a candidate version. Other modules use the service through its app and settings. */
@Internal
package dev.batchinfer.worker.shadow;

import dev.batchinfer.topics.Internal;
