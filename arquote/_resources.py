"""Reading the lexicons shipped in ``arquote/data`` (works from a wheel or a zip too)."""

from __future__ import annotations

from importlib import resources

__all__ = ["read_data"]


def read_data(name: str) -> str:
    """The text of ``arquote/data/<name>``."""
    return resources.files("arquote").joinpath("data", name).read_text(encoding="utf-8")
