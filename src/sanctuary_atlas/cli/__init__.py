"""The ``sanctuary-atlas`` command: thin Typer commands over the Python API."""

from __future__ import annotations

from sanctuary_atlas.cli.app import app, main

__all__ = ["app", "main"]
