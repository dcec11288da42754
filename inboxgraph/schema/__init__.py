"""The Strawberry types of the API: GraphQL views of the domain's plain records."""
