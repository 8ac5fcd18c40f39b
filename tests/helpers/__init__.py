"""Helpers shared by the test modules: import them as ``tests.helpers.<module>``.

Fixtures stay in ``conftest.py`` files; everything a test or fixture calls lives here.
"""
