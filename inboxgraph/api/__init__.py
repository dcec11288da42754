"""The composition root: the federation schema, built from the types and the resolvers,
with the limits and error codes every operation passes through.

Nothing imports this package back: schema types, resolvers and providers stay below it.
"""
