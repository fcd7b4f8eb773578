/** Internal to callback-dispatcher: HTTP delivery of one webhook attempt. Other modules use the service through its app and settings. */
@Internal
package dev.batchinfer.callback.deliver;

import dev.batchinfer.topics.Internal;
