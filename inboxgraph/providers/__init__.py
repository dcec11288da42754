"""Provider adapters and the one HTTP client they share; no GraphQL here."""
