/** Internal to producer-api: the model routes and the version router. Other modules use the service through its app and settings. */
@Internal
package dev.batchinfer.api.models;

import dev.batchinfer.topics.Internal;
