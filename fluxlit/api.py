"""Small helpers for declaring ``fastapi.APIRouter`` instances."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from fastapi import APIRouter


def router(*, prefix: str = "", tags: Sequence[str | Enum] | None = None) -> APIRouter:
    """Create an ``APIRouter`` with an optional prefix and OpenAPI tags."""
    return APIRouter(prefix=prefix, tags=list(tags) if tags else None)
