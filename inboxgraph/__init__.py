"""inboxgraph: one typed GraphQL API to update conversations in five inbox providers."""
