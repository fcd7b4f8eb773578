package dev.batchinfer.callback.deliver;

/**
 * One event to deliver: the body is sent unchanged on every attempt, and {@code id} stays the same
 * so receivers can de-duplicate (Standard Webhooks' webhook-id).
 */
public record Webhook(String id, String url, long timestampSeconds, String body) {}
