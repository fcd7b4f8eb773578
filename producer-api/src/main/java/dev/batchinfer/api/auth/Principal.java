package dev.batchinfer.api.auth;

/** Who is calling: the tenant an API key belongs to, and whether it may change the model registry. */
public record Principal(String tenant, boolean admin) {}
