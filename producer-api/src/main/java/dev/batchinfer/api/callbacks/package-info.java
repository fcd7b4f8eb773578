/** Internal to producer-api: callback URLs and secrets as a submit checks them. Other modules use the service through its app and settings. */
@Internal
package dev.batchinfer.api.callbacks;

import dev.batchinfer.topics.Internal;
