"""A module without register() is imported and left alone."""

VALUE = 1
