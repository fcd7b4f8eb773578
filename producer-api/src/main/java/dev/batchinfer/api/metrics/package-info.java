/** Internal to producer-api: what the API counts for its operator. */
@Internal
package dev.batchinfer.api.metrics;

import dev.batchinfer.topics.Internal;
