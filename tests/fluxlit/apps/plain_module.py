"""Not a package: discover_pages must refuse it."""
