"""`make lint` and the pre-commit hooks run the same checks: neither can drift from the other."""

from __future__ import annotations

import yaml

from tests.conftest import REPO


def _make_lint_commands() -> list[str]:
    lines = (REPO / "Makefile").read_text().splitlines()
    start = lines.index(next(line for line in lines if line.startswith("lint:")))
    commands: list[str] = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        commands.append(line.strip().replace("$(BIN)/", ".venv/bin/"))
    return commands


def test_pre_commit_hooks_mirror_make_lint() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert all(repo["repo"] == "local" for repo in config["repos"])  # offline: nothing fetched
    assert all(hook["language"] == "system" for hook in hooks)
    assert [hook["entry"] for hook in hooks] == _make_lint_commands()
    assert len(hooks) == 3
