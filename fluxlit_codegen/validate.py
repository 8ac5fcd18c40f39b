"""``fluxlit pages validate``: handler problems (errors) and page hygiene (warnings)."""

from __future__ import annotations

import json
from collections import Counter

from fluxlit.pages.inject import check_page_handler
from fluxlit.pages.manifest import build_page_manifest
from fluxlit_codegen.checks import check_handlers
from fluxlit_codegen.project import ResolvedApp


def validate_pages(resolved: ResolvedApp) -> tuple[list[str], list[str]]:
    """Return ``(errors, warnings)`` for the app's pages."""
    model = resolved.model
    errors: list[str] = []
    if resolved.manifest_path is not None:
        errors += [
            str(p) for p in check_handlers(model, resolved.project_root, resolved.manifest_path)
        ]
    elif resolved.fluxlit is not None:
        for path, _title, handler in resolved.fluxlit.pages:
            errors += [f"page {path}: {problem}" for problem in check_page_handler(handler)]
    try:
        json.dumps(build_page_manifest(model.pages, title=model.title))
    except (TypeError, ValueError) as exc:
        errors.append(f"page manifest is not JSON-serialisable: {exc}")
    warnings: list[str] = []
    if not model.pages:
        warnings.append("the app has no pages")
    elif "/" not in {p.path for p in model.pages}:
        warnings.append("no page at '/': the first page becomes the home page")
    for title, count in Counter(p.title for p in model.pages).items():
        if count > 1:
            warnings.append(f"{count} pages share the title {title!r}")
    known = {p.path for p in model.pages}
    warnings += [
        f"navigation order names {p!r}, which is not a page"
        for p in model.navigation.order
        if p not in known
    ]
    return errors, warnings
