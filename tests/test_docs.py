"""The README documents every CLI command (the sqlite-utils idea): a new command without docs fails."""

from __future__ import annotations

from pathlib import Path

from flows.cli import register_commands
from flows.commands import app

README = (Path(__file__).parent.parent / "README.md").read_text()


def _command_names() -> list[str]:
    register_commands([])  # as for ``noticeflow --help``: every command
    names = [command.name or command.callback.__name__ for command in app.registered_commands]  # type: ignore[union-attr]
    for group in app.registered_groups:
        sub = group.typer_instance
        names += [
            f"{group.name} {command.name or command.callback.__name__}" for command in sub.registered_commands
        ]  # type: ignore[union-attr]
    return names


def test_every_command_is_in_the_readme() -> None:
    names = _command_names()
    assert "ingest" in names and "review correct" in names
    missing = [name for name in names if not _documented(name)]
    assert missing == []


def _documented(name: str) -> bool:
    group, _, command = name.partition(" ")
    if not command:
        return f"noticeflow {group}" in README
    return f"noticeflow {group} " in README and command in README.split(f"noticeflow {group}", 1)[1][:300]
