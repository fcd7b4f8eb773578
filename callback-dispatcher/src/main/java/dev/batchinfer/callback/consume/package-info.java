/** Internal to callback-dispatcher: the event consumer. Other modules use the service through its app and settings. */
@Internal
package dev.batchinfer.callback.consume;

import dev.batchinfer.topics.Internal;
