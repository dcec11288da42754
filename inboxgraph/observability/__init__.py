"""Metrics, logs and traces. Nothing here is imported on behalf of another module:
`metrics` needs prometheus-client, `tracing` the optional `otel` extra, `logs` neither."""
