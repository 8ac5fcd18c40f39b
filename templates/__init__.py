"""Jinja templates for generated files and `fluxlit new` scaffolds (package data)."""
