"""A user's column map: new header spellings for canonical fields, without editing the package.

``ingest --columns MAP.yaml`` reads a mapping of header text to canonical field, either at the
top level or under a ``columns:`` section (so that a project file can hold it)::

    columns:
      Most Serious Conviction: conviction
      Arrest Landmark: location_text
      Officer Badge: ignore          # known, deliberately not stored

A field is one of ``SOURCE_FIELDS`` (``sanctuary-atlas ingest --help`` lists them) or
``ignore``. Every problem is reported with its line; a map with any problem is refused whole.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from sanctuary_atlas import safe_yaml
from sanctuary_atlas.releases.layouts import IGNORE, SOURCE_FIELDS, header_key


class ColumnMapError(ValueError):
    """A column map that cannot be used; the message names the file and each bad line."""

    def __init__(self, path: Path, problems: list[tuple[int, str]]):
        self.path = path
        self.problems = problems
        lines = "; ".join(f"line {line}: {problem}" for line, problem in problems)
        super().__init__(f"column map {path.name}: {lines}")


def accepted_fields() -> list[str]:
    return [*SOURCE_FIELDS, IGNORE]


def load_column_map(path: str | Path) -> dict[str, str]:
    """Header text -> canonical field (or ``ignore``), validated."""
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"no such column map: {source}")
    if source.stat().st_size > safe_yaml.MAX_YAML_BYTES:
        raise ColumnMapError(source, [(1, "the file is too large for a column map")])
    try:
        root = safe_yaml.compose(source.read_text(encoding="utf-8"))
    except safe_yaml.UnsafeYamlError as exc:
        raise ColumnMapError(source, [(exc.line, exc.problem)]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ColumnMapError(
            source, [(mark.line + 1 if mark else 1, f"not valid YAML ({exc})")]
        ) from exc
    except UnicodeDecodeError as exc:
        raise ColumnMapError(source, [(1, "not UTF-8 text")]) from exc
    if isinstance(root, yaml.MappingNode):
        section = next(
            (value for key, value in root.value if getattr(key, "value", None) == "columns"),
            None,
        )
        if section is not None:
            root = section
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1 if root is not None else 1
        raise ColumnMapError(
            source, [(line, "expected a mapping of 'Header text: field' (or a columns: section)")]
        )
    mapping: dict[str, str] = {}
    seen: dict[str, int] = {}
    problems: list[tuple[int, str]] = []
    known = accepted_fields()
    for key, value in root.value:
        line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarNode) or not str(key.value).strip():
            problems.append((line, "a header text must be a non-empty string"))
            continue
        if not isinstance(value, yaml.ScalarNode) or value.value not in known:
            found = value.value if isinstance(value, yaml.ScalarNode) else "a list or mapping"
            problems.append(
                (line, f"unknown field {found!r} for {key.value!r}; fields: {', '.join(known)}")
            )
            continue
        normalised = header_key(key.value)
        if normalised in seen:
            problems.append((line, f"{key.value!r} is already mapped on line {seen[normalised]}"))
            continue
        seen[normalised] = line
        mapping[str(key.value)] = str(value.value)
    if problems:
        raise ColumnMapError(source, problems)
    return mapping
