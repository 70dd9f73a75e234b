"""The kept originals: every ingested file, content-addressed, and page previews made from them.

``archive_document(path, document_id, home) -> Path`` copies the file to ``home/documents/<document_id>``
(``document_id`` is the sha256 of the bytes, as ``pipeline.load.hash_file`` computes it) once: a second call
with the same bytes is a no-op. The copy is written to a temp file in the same folder, checked against the
id, flushed and renamed into place, so a reader never sees half a file and two processes archiving the same
bytes at once both succeed. Raises ``ValueError`` when the id is not a sha256 or not the file's hash, and
``OSError`` when the folder cannot be written. The archive is shared by every tenant (the same bytes are
the same file); who may see a document is the store's business, not the archive's.

``archived_path(document_id, home) -> Path | None``: the kept file, or None (never archived, or not an id).

``preview_pages(document_id, home, config) -> tuple[PagePreview, ...] | None`` makes (or finds in
``home/cache/pages/<document_id>/``) a greyscale PNG about ``config.width`` pixels wide for every page, and
returns, per page, the PNG and the page's size *in the coordinates of the result's field boxes*: a text-layer
PDF page at ``render_dpi`` (the size the text layer's boxes were scaled to), an image page as the OCR saw it
after ``preprocess_page`` (upscaled to 300 dpi when scanned lower, unwarped, turned a quarter, deskewed).
``preview_page`` does the same for one page. Both return None when the document was never archived and
raise the ``DocumentError`` that ``pipeline.load`` raises for a file that cannot be read.

Limitation: the OCR stage itself may still turn a page (upside down, or undoing a quarter turn it doubts);
that turn is not recorded in the result, so the boxes of such a page do not line up with its preview.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import regex
from pydantic import BaseModel, ConfigDict

from pipeline.load import FileType, LoadedDocument, LoadLimits, PageRef, load_document, render_page
from pipeline.models import OcrPage
from pipeline.preprocess import CleanConfig, preprocess_page

PREVIEW_VERSION = 1  # bump when previews are drawn differently: old cache files are then ignored
_SHA256 = regex.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20


# ---- the kept originals -------------------------------------------------------------------------------


def documents_dir(home: Path) -> Path:
    return home / "documents"


def archived_path(document_id: str, home: Path) -> Path | None:
    if not _SHA256.fullmatch(document_id):
        return None
    path = documents_dir(home) / document_id
    return path if path.is_file() else None


def archive_document(path: Path, document_id: str, home: Path) -> Path:
    if not _SHA256.fullmatch(document_id):
        raise ValueError(f"not a document id (sha256 hex): {document_id!r}")
    target = documents_dir(home) / document_id
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out, path.open("rb") as source:
            digest = hashlib.sha256()
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != document_id:
            raise ValueError(f"{path.name} does not hash to {document_id}: it changed or is another file")
        os.chmod(temp, 0o444)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target


# ---- page previews ------------------------------------------------------------------------------------


class PreviewConfig(BaseModel):
    """How previews are made: the pipeline's limits and cleaning (so boxes line up) and the PNG width."""

    model_config = ConfigDict(frozen=True)

    limits: LoadLimits = LoadLimits()
    clean: CleanConfig = CleanConfig()
    width: int = 1100


class PagePreview(BaseModel):
    """One page's PNG, and the page's size in the coordinates of its fields' boxes."""

    model_config = ConfigDict(frozen=True)

    number: int
    png: Path
    width: int
    height: int


def cache_dir(document_id: str, home: Path) -> Path:
    return home / "cache" / "pages" / document_id


def preview_pages(document_id: str, home: Path, config: PreviewConfig) -> tuple[PagePreview, ...] | None:
    """Every page's preview, made (pages in parallel) and cached on the first call."""
    original = archived_path(document_id, home)
    if original is None:
        return None
    manifest = cache_dir(document_id, home) / f"pages-v{PREVIEW_VERSION}-w{config.width}.json"
    cached = _read_manifest(manifest)
    if cached is not None and all(page.png.is_file() for page in cached):
        return cached
    loaded = load_document(original, config.limits)
    workers = max(1, min(os.cpu_count() or 1, len(loaded.pages)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pages = tuple(pool.map(lambda page: _make_preview(loaded, page, home, config), loaded.pages))
    _write_atomically(manifest, json.dumps([page.model_dump(mode="json") for page in pages]).encode())
    return pages


def preview_page(document_id: str, number: int, home: Path, config: PreviewConfig) -> PagePreview | None:
    """One page's preview (None when the document was never archived or has no such page)."""
    original = archived_path(document_id, home)
    if original is None:
        return None
    png = _png_path(document_id, number, home, config)
    size = _read_size(png.with_suffix(".json"))
    if png.is_file() and size is not None:
        return PagePreview(number=number, png=png, width=size[0], height=size[1])
    loaded = load_document(original, config.limits)
    page = next((page for page in loaded.pages if page.number == number), None)
    return None if page is None else _make_preview(loaded, page, home, config)


def _make_preview(
    loaded: LoadedDocument, page: OcrPage | PageRef, home: Path, config: PreviewConfig
) -> PagePreview:
    pixels, size = _page_pixels(loaded, page, config)
    height = max(1, round(pixels.shape[0] * config.width / pixels.shape[1]))
    small = cv2.resize(pixels, (config.width, height), interpolation=cv2.INTER_AREA)
    encoded, png_bytes = cv2.imencode(".png", small, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    if not encoded:
        raise OSError(f"page {page.number} could not be encoded as PNG")
    png = _png_path(loaded.document_id, page.number, home, config)
    _write_atomically(png, png_bytes.tobytes())
    _write_atomically(png.with_suffix(".json"), json.dumps({"width": size[0], "height": size[1]}).encode())
    return PagePreview(number=page.number, png=png, width=size[0], height=size[1])


def _page_pixels(
    loaded: LoadedDocument, page: OcrPage | PageRef, config: PreviewConfig
) -> tuple[np.ndarray, tuple[int, int]]:
    """The page's pixels and its size in box coordinates."""
    if isinstance(page, OcrPage):  # a text-layer page: its boxes are at render_dpi; render it the same
        ref = PageRef(number=page.number, path=loaded.path, file_type=FileType.PDF, frame=page.number)
        return render_page(ref, config.limits).pixels, (page.width, page.height)
    cleaned = preprocess_page(render_page(page, config.limits), config.clean)
    height, width = cleaned.pixels.shape[:2]
    return cleaned.pixels, (width, height)


def _png_path(document_id: str, number: int, home: Path, config: PreviewConfig) -> Path:
    return cache_dir(document_id, home) / f"page-{number}-v{PREVIEW_VERSION}-w{config.width}.png"


def _read_manifest(path: Path) -> tuple[PagePreview, ...] | None:
    try:
        return tuple(PagePreview.model_validate(page) for page in json.loads(path.read_text()))
    except (OSError, ValueError):
        return None


def _read_size(path: Path) -> tuple[int, int] | None:
    try:
        size = json.loads(path.read_text())
        return int(size["width"]), int(size["height"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp_name, path)
    finally:
        Path(temp_name).unlink(missing_ok=True)
