/** Internal to callback-dispatcher: the retry schedule. Other modules use the service through its app and settings. */
@Internal
package dev.batchinfer.callback.schedule;

import dev.batchinfer.topics.Internal;
