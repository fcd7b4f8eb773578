package dev.batchinfer.topics.message;

/** A webhook given up on: every attempt failed, or the endpoint answered 410 Gone. */
public record WebhookDeadLetter(
    String eventId, String batchId, String type, String url, int attempts, String lastResult, String body, long atMs) {}
