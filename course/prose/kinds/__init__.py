"""Kind-specific checks. Each module exposes ``MIN_WORDS`` and ``check(a: Analysis)``."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

KINDS = ("press_release", "faq", "summary", "coe", "vision")


def get(kind: str) -> ModuleType:
    """The check module for ``kind`` (imported on first use)."""
    return import_module(f"{__name__}.{kind}")
