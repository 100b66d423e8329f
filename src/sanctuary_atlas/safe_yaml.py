"""YAML from users, read safely: no aliases, a bounded size.

A few hundred bytes of YAML anchors and aliases (a "billion laughs" file) expand into billions
of nodes once a program walks them: a 773-byte file passed to `policies import` grew to 3 GB.
The atlas's YAML inputs (policy entries, column maps) never need an alias, so any alias is
refused at the line it appears, before anything is built, and files are read only up to a
size no honest input reaches.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_YAML_BYTES = 20 << 20


class UnsafeYamlError(ValueError):
    """A YAML input the atlas refuses to expand: the line and why."""

    def __init__(self, line: int, problem: str):
        self.line = line
        self.problem = problem
        super().__init__(f"line {line}: {problem}")


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader, refusing aliases (``*name``) where the parser meets them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise UnsafeYamlError(
                event.start_mark.line + 1,
                f"YAML aliases ('*{event.anchor}') are not accepted: write each value out "
                "(aliases can expand a small file into billions of values)",
            )
        return super().compose_node(parent, index)


def check_size(text: str | bytes) -> None:
    if len(text) > MAX_YAML_BYTES:
        raise UnsafeYamlError(1, f"the file is larger than {MAX_YAML_BYTES >> 20} MB")


def compose(text: str) -> yaml.Node | None:
    """The node tree (with line marks) of one YAML document; aliases and oversized input are
    refused with ``UnsafeYamlError``, syntax errors raise ``yaml.YAMLError``."""
    check_size(text)
    return yaml.compose(text, Loader=_NoAliasLoader)


def load(text: str) -> Any:
    """The Python value of one YAML document, under the same refusals as ``compose``."""
    check_size(text)
    return yaml.load(text, Loader=_NoAliasLoader)
