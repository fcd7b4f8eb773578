/** Internal to producer-api: RFC 9457 problem documents. Other modules use the service through its app and settings. */
@Internal
package dev.batchinfer.api.problem;

import dev.batchinfer.topics.Internal;
