"""The kept originals: every ingested file, content-addressed, and page previews made from them.

``archive_document(path, document_id, home) -> Path`` copies the file to ``home/documents/<document_id>``
(``document_id`` is the sha256 of the bytes, as ``pipeline.load.hash_file`` computes it) once: a second call
with the same bytes is a no-op. The copy is written to a temp file in the same folder, checked against the
id, flushed and renamed into place, so a reader never sees half a file and two processes archiving the same
bytes at once both succeed. Raises ``ValueError`` when the id is not a sha256 or not the file's hash, and
``OSError`` when the folder cannot be written. The archive is shared by every tenant (the same bytes are
the same file); who may see a document is the store's business, not the archive's.

``archived_path(document_id, home) -> Path | None``: the kept file, or None (never archived, or not an id).

``keep_original(path, result, home) -> Path | None`` is what the ingest paths call after processing: it
archives the file a result was made from (not for a failed result: there is nothing to review) and logs,
rather than raises, a copy that cannot be made: the result matters more than its scan.

``keep_pages(document_id, pages, home)`` keeps the pages of a document of several pages as they were read
(``KeptPages``: the OCR with every full SSN already masked, and how many full SSNs each page printed) in
``home/documents/<document_id>.pages.json``, once; ``kept_pages(document_id, home)`` reads them back (None
when not kept). A person who moves a boundary between the notices of a scanned stack gets its notices
derived anew from them, without a second OCR (``pipeline.process.rederive``).

``preview_pages(document_id, home, config, boxes) -> tuple[PagePreview, ...] | None`` makes (or finds in
``home/cache/pages/<document_id>/``) a greyscale PNG about ``config.width`` pixels wide for every page, and
returns, per page, the PNG and the page's size *in the coordinates of the result's field boxes*: a text-layer
PDF page at ``render_dpi`` (the size the text layer's boxes were scaled to), an image page as the OCR saw it
after ``preprocess_page`` (upscaled to 300 dpi when scanned lower, unwarped, turned a quarter, deskewed).
The OCR stage may turn a page once more (upside down, or back from a quarter turn it doubts), and the result
does not record that turn: so an image page is turned by 0, 90, 180 or 270 degrees to where its fields'
``boxes`` (by page number) cover the most ink, when at least 3 boxes clearly agree (``orient_to_boxes``).
``preview_page`` does the same for one page. Both return None when the document was never archived and
raise the ``DocumentError`` that ``pipeline.load`` raises for a file that cannot be read. The first call
decides a page's preview; later calls read the cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import regex
from pydantic import BaseModel, ConfigDict

from pipeline.load import FileType, LoadedDocument, LoadLimits, PageRef, load_document, render_page
from pipeline.models import BBox, NoticeResult, OcrDocument, OcrPage, Status
from pipeline.preprocess import CleanConfig, preprocess_page

log = logging.getLogger(__name__)

PREVIEW_VERSION = 2  # bump when previews are drawn differently: old cache files are then ignored
MIN_BOXES_TO_ORIENT = 3
ORIENT_MARGIN = 1.5  # another turn must put this many times more ink in the boxes than the page as cleaned
_TURNS = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
PageBoxes = Mapping[int, Sequence[BBox]]
"""The boxes of a result's fields by page number, in the page's box coordinates."""
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


def keep_original(path: Path, result: NoticeResult, home: Path) -> Path | None:
    """Archive ``path`` under ``result.document_id`` unless the result failed; None when not kept."""
    if result.status is Status.FAILED or not result.document_id:
        return None
    try:
        return archive_document(path, result.document_id, home)
    except (OSError, ValueError) as error:
        log.warning("archive: %s was not kept: %s", result.source, error)
        return None


class KeptPages(BaseModel):
    """A document's pages as read, masked; ``full_ssns``: how many full SSNs each page printed."""

    model_config = ConfigDict(frozen=True)

    document: OcrDocument
    full_ssns: dict[int, int]


def _pages_path(document_id: str, home: Path) -> Path:
    return documents_dir(home) / f"{document_id}.pages.json"


def keep_pages(document_id: str, pages: KeptPages, home: Path) -> None:
    """Keep the pages once; a copy that cannot be written is logged, not raised (the result matters more)."""
    if not _SHA256.fullmatch(document_id) or _pages_path(document_id, home).is_file():
        return
    try:
        _write_atomically(_pages_path(document_id, home), pages.model_dump_json().encode())
    except OSError as error:
        log.warning("archive: the pages of document %s were not kept: %s", document_id[:12], error)


def kept_pages(document_id: str, home: Path) -> KeptPages | None:
    if not _SHA256.fullmatch(document_id):
        return None
    try:
        return KeptPages.model_validate_json(_pages_path(document_id, home).read_bytes())
    except (OSError, ValueError):
        return None


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


def preview_pages(
    document_id: str, home: Path, config: PreviewConfig, boxes: PageBoxes | None = None
) -> tuple[PagePreview, ...] | None:
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
        pages = tuple(
            pool.map(
                lambda page: _make_preview(loaded, page, home, config, (boxes or {}).get(page.number, ())),
                loaded.pages,
            )
        )
    _write_atomically(manifest, json.dumps([page.model_dump(mode="json") for page in pages]).encode())
    return pages


def preview_page(
    document_id: str, number: int, home: Path, config: PreviewConfig, boxes: Sequence[BBox] = ()
) -> PagePreview | None:
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
    return None if page is None else _make_preview(loaded, page, home, config, boxes)


def _make_preview(
    loaded: LoadedDocument, page: OcrPage | PageRef, home: Path, config: PreviewConfig, boxes: Sequence[BBox]
) -> PagePreview:
    pixels, size = _page_pixels(loaded, page, config, boxes)
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
    loaded: LoadedDocument, page: OcrPage | PageRef, config: PreviewConfig, boxes: Sequence[BBox]
) -> tuple[np.ndarray, tuple[int, int]]:
    """The page's pixels and its size in box coordinates."""
    if isinstance(page, OcrPage):  # a text-layer page: its boxes are at render_dpi; render it the same
        ref = PageRef(number=page.number, path=loaded.path, file_type=FileType.PDF, frame=page.number)
        return render_page(ref, config.limits).pixels, (page.width, page.height)
    pixels = orient_to_boxes(preprocess_page(render_page(page, config.limits), config.clean).pixels, boxes)
    height, width = pixels.shape[:2]
    return pixels, (width, height)


def orient_to_boxes(pixels: np.ndarray, boxes: Sequence[BBox]) -> np.ndarray:
    """The page turned clockwise by 0, 90, 180 or 270 degrees, whichever puts the most ink inside the
    boxes; unturned unless there are ``MIN_BOXES_TO_ORIENT`` boxes and the best turn wins by
    ``ORIENT_MARGIN`` (a text line's box is ~15% ink; the same box on the wrong turn lands half on blank)."""
    if len(boxes) < MIN_BOXES_TO_ORIENT:
        return pixels
    scale = 0.25
    ink = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) < 128
    scores = {
        degrees: _ink_in_boxes(np.rot90(ink, k=-degrees // 90), boxes, scale) for degrees in (0, *_TURNS)
    }
    best = max(scores, key=lambda degrees: scores[degrees])
    if best == 0 or scores[best] < ORIENT_MARGIN * scores[0]:
        return pixels
    return cv2.rotate(pixels, _TURNS[best])


def _ink_in_boxes(ink: np.ndarray, boxes: Sequence[BBox], scale: float) -> float:
    """The mean share of ink pixels inside the boxes; a box mostly off the page counts as empty."""
    height, width = ink.shape
    shares = []
    for x, y, w, h in boxes:
        left, top, right, bottom = (
            int(x * scale),
            int(y * scale),
            int((x + w) * scale) + 1,
            int((y + h) * scale) + 1,
        )
        inside = ink[max(0, top) : min(height, bottom), max(0, left) : min(width, right)]
        is_on_page = inside.size >= 0.5 * (right - left) * (bottom - top)
        shares.append(float(inside.mean()) if is_on_page and inside.size else 0.0)
    return sum(shares) / len(shares)


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
