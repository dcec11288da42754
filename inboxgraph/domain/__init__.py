"""Plain enums and records of inboxgraph's world, with no GraphQL and no HTTP.

Providers, the sandbox and the schema all speak in these; a process that only sends
updates (a bulk-job worker, a script) can use a provider with nothing above this layer.
"""
