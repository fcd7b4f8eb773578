/** Internal to producer-api: Idempotency-Key replay. Other modules use the service through its app and settings. */
@Internal
package dev.batchinfer.api.idempotency;

import dev.batchinfer.topics.Internal;
