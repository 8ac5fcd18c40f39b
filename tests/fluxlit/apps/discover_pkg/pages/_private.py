"""Skipped: names starting with an underscore are not discovered."""


def register(app):
    raise AssertionError("private modules must not be discovered")
