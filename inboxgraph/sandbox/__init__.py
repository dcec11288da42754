"""In-process emulators of each provider's documented HTTP API (sandbox mode)."""
