/** Internal to producer-api: rate limits and tenant quotas. Other modules use the service through its app and settings. */
@Internal
package dev.batchinfer.api.limits;

import dev.batchinfer.topics.Internal;
