"""State that several inboxgraph processes share, kept in Redis when one is configured."""
