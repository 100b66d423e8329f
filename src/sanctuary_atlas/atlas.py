"""The Atlas object: one handle on a store, with every capability the CLI and web app offer."""

from __future__ import annotations

from pathlib import Path

from sanctuary_atlas.store import DEFAULT_STORE, Store


class Atlas:
    """An open atlas. The CLI and the web app are thin skins over these methods."""

    def __init__(self, store: Store):
        self.store = store

    @classmethod
    def open(cls, path: str | Path = DEFAULT_STORE, *, read_only: bool = False) -> Atlas:
        return cls(Store.open(path, read_only=read_only))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Atlas:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
