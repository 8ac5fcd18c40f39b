"""Every route of a FastAPI app, with routers included through ``include_router`` flattened.

Before FastAPI 0.16x, ``include_router`` copied each route into ``app.routes`` with its
full path. Newer versions add one lazy node per included router instead, and
``fastapi.routing.iter_route_contexts`` walks those nodes. ``app_routes`` reads routes
the same way on both, so the app model (and the generated gateway's route list) sees
routes declared on routers too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import fastapi.routing
from fastapi import FastAPI
from starlette.routing import BaseRoute

_iter_route_contexts: Any = getattr(fastapi.routing, "iter_route_contexts", None)
"""Present in FastAPI with lazy included routers; ``None`` before (``app.routes`` is flat)."""


@dataclass(frozen=True)
class AppRoute:
    """One route as the app serves it.

    ``declared`` is the route object as written (``APIRoute``, ``Mount``, ...);
    ``served`` answers attribute reads (``path``, ``methods``, ``endpoint``,
    ``include_in_schema``, ``summary``, ``tags``, ``name``, ...) with the values in
    effect in the app, router prefixes and tags applied.
    """

    declared: BaseRoute
    served: Any

    @property
    def path(self) -> str:
        """The full path in the app (router prefixes included)."""
        return str(getattr(self.served, "path", ""))

    @property
    def methods(self) -> frozenset[str]:
        """HTTP methods (empty for mounts and WebSockets)."""
        return frozenset(getattr(self.served, "methods", None) or ())

    @property
    def endpoint(self) -> Callable[..., Any] | None:
        """The handler function, when the route has one."""
        return getattr(self.served, "endpoint", None)


def app_routes(api: FastAPI) -> list[AppRoute]:
    """Every route of ``api`` in order, routers included through ``include_router`` too."""
    return list(_walk(api.routes))


def _walk(routes: list[BaseRoute]) -> Iterator[AppRoute]:
    if _iter_route_contexts is None:
        for route in routes:
            yield AppRoute(declared=route, served=route)
        return
    for context in _iter_route_contexts(routes):
        yield AppRoute(declared=context.original_route, served=context)
