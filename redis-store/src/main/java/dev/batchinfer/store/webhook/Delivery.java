package dev.batchinfer.store.webhook;

/**
 * One event on its way to a batch's callback URL, across all its attempts.
 *
 * @param eventId the webhook-id: the same on every attempt and redelivery
 * @param tenant whose batch it is: its secrets sign the webhook
 * @param nextAttemptAtMs when the next attempt is due (pending only), else 0
 */
public record Delivery(
    String eventId,
    String tenant,
    String batchId,
    String type,
    String url,
    String body,
    int attempts,
    DeliveryStatus status,
    long nextAttemptAtMs,
    String lastResult,
    String requestId,
    String traceparent) {
}
