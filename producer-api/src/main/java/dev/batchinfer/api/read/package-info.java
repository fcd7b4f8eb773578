/** Internal to producer-api: status, results and events read back. Other modules use the service through its app and settings. */
@Internal
package dev.batchinfer.api.read;

import dev.batchinfer.topics.Internal;
