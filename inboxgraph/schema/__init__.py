"""The Strawberry schema of the contract."""
