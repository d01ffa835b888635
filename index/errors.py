"""The loader's error, in a module of its own so the format readers in index.components can raise it
without importing index.load (which imports them)."""
from __future__ import annotations


class LoadError(Exception):
    """A file we cannot turn into text; ``str(err)`` is a plain-English reason for the CLI."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
