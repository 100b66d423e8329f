"""The dated, sourced policy registry."""
