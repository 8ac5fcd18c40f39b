"""Fixtures for the ``fluxlit`` tests."""

from __future__ import annotations

import pytest

from tests.helpers.fake_streamlit import FakeSt


@pytest.fixture
def fake_st() -> type[FakeSt]:
    """The ``FakeSt`` class: ``fake_st({"a": "1"})`` is a fresh stand-in for ``st``."""
    return FakeSt
