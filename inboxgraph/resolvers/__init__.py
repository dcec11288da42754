"""Resolvers, the per-request context and its dataloaders."""
