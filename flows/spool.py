"""Background uploads kept on disk until their result is stored, so a server restart finishes them.

An upload answered 202 (``?wait=false``) has been promised a result. ``spool_upload(path, entry, home)``
moves its bytes to ``home/spool/<tenant>/<document_id>-<random>.bin``, then writes the ``.json`` beside it
(what processing needs: source, size, profile, "today"), each flushed to disk, and returns both paths; the
caller removes them (JSON first) once the result is stored. ``spooled(home)`` lists what earlier processes
accepted and did not finish, oldest first (an entry counts once its JSON is in place; bytes without one are
removed).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import shutil
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

log = logging.getLogger(__name__)


class SpoolEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenant: str
    document_id: str
    source: str
    size: int
    profile_id: str | None
    as_of: dt.date


def spool_upload(path: Path, entry: SpoolEntry, home: Path) -> tuple[Path, Path]:
    """(the bytes, the description) now on disk under ``home/spool``; ``path`` is moved there."""
    folder = home / "spool" / entry.tenant
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{entry.document_id}-{secrets.token_hex(4)}"
    data, description = folder / f"{name}.bin", folder / f"{name}.json"
    shutil.move(path, data)
    _flush(data)
    pending = folder / f"{name}.json.tmp"
    pending.write_text(entry.model_dump_json())
    _flush(pending)
    pending.replace(description)
    _flush(folder)
    return data, description


def spooled(home: Path) -> list[tuple[SpoolEntry, Path, Path]]:
    """(entry, bytes, description) of every complete entry, oldest first."""
    found = []
    for data in sorted((home / "spool").glob("*/*.bin"), key=lambda path: path.stat().st_mtime):
        description = data.with_suffix(".json")
        try:
            entry = SpoolEntry.model_validate_json(description.read_text())
        except (OSError, ValidationError) as error:
            log.warning("dropping spooled upload %s without a readable description: %s", data.name, error)
            description.unlink(missing_ok=True)
            data.unlink(missing_ok=True)
            continue
        found.append((entry, data, description))
    return found


def _flush(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
