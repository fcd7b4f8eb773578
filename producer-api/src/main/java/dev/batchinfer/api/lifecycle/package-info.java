/** Internal to producer-api: cancel, retry and delete of a batch. Other modules use the service through its app and settings. */
@Internal
package dev.batchinfer.api.lifecycle;

import dev.batchinfer.topics.Internal;
