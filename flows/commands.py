"""What every command shares: the Typer app, today's date from ``--as-of``, a usable home, the configured
store, who is acting, a stored notice found by the start of its id. Raises ``HomeUnusable`` when
``NOTICEFLOW_HOME`` cannot be created or written."""

from __future__ import annotations

import datetime as dt
import errno
import getpass
import os
from typing import TYPE_CHECKING

import typer

from pipeline.errors import DocumentNotFound, HomeUnusable
from pipeline.settings import Settings

if TYPE_CHECKING:
    from pipeline.models import NoticeResult
    from pipeline.store import Store

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Turn IRS notices into checked records.")


@app.callback()
def _commands() -> None:
    """Turn IRS notices into checked records."""


def parse_as_of(value: str | None) -> dt.date:
    """``--as-of`` as a date; today when not given (read here, at the entry point, never in a stage)."""
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2024-06-10", param_hint="--as-of") from None


def cli_actor() -> str:
    """Who the audit says did it: the user running the command."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def find_notice(store: Store, prefix: str) -> NoticeResult:
    """The result whose document id starts with ``prefix`` (at least 6 characters)."""
    if len(prefix) < 6:
        raise typer.BadParameter("give at least 6 characters of the document id", param_hint="ID")
    matches = store.document_ids_starting(prefix)
    if len(matches) > 1:
        raise typer.BadParameter(f"{prefix} matches several documents; give more characters")
    if not matches:
        raise DocumentNotFound(f"no notice with id {prefix}")
    return store.result(matches[0])


def prepare_home(settings: Settings) -> None:
    """``NOTICEFLOW_HOME`` created and writable (the store, the originals and Prefect's files live there),
    else ``HomeUnusable`` saying how to fix it."""
    home = settings.home
    try:
        home.mkdir(parents=True, exist_ok=True)
        if not os.access(home, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, "not writable")
    except OSError as error:
        reason = error.strerror or str(error)
        raise HomeUnusable(
            f"NOTICEFLOW_HOME {home} cannot be used ({reason}); set NOTICEFLOW_HOME to a writable folder"
        ) from error


def open_configured_store(settings: Settings) -> Store:
    from pipeline.store import open_store  # SQLAlchemy loads when a command first needs the store

    prepare_home(settings)
    return open_store(settings.database_url)


def prepare_prefect(settings: Settings) -> None:
    """Prefect's own settings before its first import: no telemetry (no network here), a home it can use."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    prepare_home(settings)
    prefect_home = settings.home / "prefect"
    prefect_home.mkdir(parents=True, exist_ok=True)  # Prefect stops if it cannot create it itself
    os.environ.setdefault("PREFECT_HOME", str(prefect_home))
