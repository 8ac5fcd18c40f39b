"""Read generated files back: the literals they assign, without running them."""

from __future__ import annotations

import ast
from typing import Any

from fluxlit.model import AppModel


def assigned(source: str, name: str) -> Any:
    """Parse a generated file and evaluate the literal assigned to ``name``."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            value = node.value
            if isinstance(value, ast.Call):  # MODEL = AppModel.model_validate({...})
                value = value.args[0]
            return ast.literal_eval(value)
    raise AssertionError(f"no {name} assignment")


def evaluated_model(source: str) -> AppModel:
    """Parse a generated file and evaluate just its MODEL literal."""
    return AppModel.model_validate(assigned(source, "MODEL"))
