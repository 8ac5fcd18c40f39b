"""JSON Schema for fluxlit.toml (package data)."""
