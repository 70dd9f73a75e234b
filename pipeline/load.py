"""Load a document: sniff its type by content, count and describe its pages, read PDF text layers.

``load_document(path, limits) -> LoadedDocument`` takes a file path and returns, per page, either the page's
text layer (an ``OcrPage`` ready for extraction, when the PDF has real text there) or a ``PageRef`` that
``render_page`` turns into a ``PageImage`` on demand, one page at a time, so a long scan never sits in memory
whole. A scanned PDF page that is one image gives that image as stored, without rendering. Every page's size
is checked before any of it is decoded or rendered: an image's frames from their headers, a PDF's pages from
their boxes (``pdfinfo -box``: the largest box, in points, at ``render_dpi``), an embedded page image from
``pdfimages -list``; a page past ``max_pixels`` raises ``ImageTooLarge`` naming the page. Raises
``MissingFile`` (no file at the path: ``unreadable_file``), ``EmptyDocument``, ``UnsupportedType``,
``CorruptDocument``, ``EncryptedPdf``, ``TooManyPages``, ``ImageTooLarge`` (pipeline.errors).
"""

from __future__ import annotations

import hashlib
import re
import struct
import subprocess
import tempfile
from enum import StrEnum
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, ConfigDict

from pipeline.errors import (
    CorruptDocument,
    DocumentError,
    EmptyDocument,
    EncryptedPdf,
    ImageTooLarge,
    ImageTooSmall,
    MissingFile,
    TooManyPages,
    UnsupportedType,
)
from pipeline.models import OcrPage, PageImage
from pipeline.textlayer import POINTS_PER_INCH, read_text_layer

Image.MAX_IMAGE_PIXELS = None  # our own pixel limit applies, before decoding
# What Pillow raises for a damaged file besides OSError, found by tests/test_fuzz_load.py: an empty PNG
# header chunk or a TIFF frame with invalid dimensions (ValueError), a TIFF frame without them (TypeError).
_DECODER_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError)
LETTER_WIDTH_IN = 8.5
MIN_PAGE_PIXELS = 200  # a quarter of a letter page at 100 dpi
MIN_EMBEDDED_PPI = 200  # below this, rendering at 300 dpi reads better than upscaling the image
_SAME_DPI = 0.05  # resolutions across and down this close are one (a scanner's 299.9 x 300)


class FileType(StrEnum):
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    TIFF = "tiff"


_MAGIC = (
    (b"%PDF-", FileType.PDF),
    (b"\x89PNG\r\n\x1a\n", FileType.PNG),
    (b"\xff\xd8\xff", FileType.JPEG),
    (b"II*\x00", FileType.TIFF),
    (b"MM\x00*", FileType.TIFF),
)


class LoadLimits(BaseModel):
    model_config = ConfigDict(frozen=True)

    max_pages: int = 50
    max_pixels: int = 80_000_000  # per page; a 300-dpi letter page is 8.4 Mpx
    render_dpi: int = 300
    min_text_chars: int = 40  # fewer letters than this on a PDF page means "no real text layer"


class PageRef(BaseModel):
    """Where to find one page's pixels: a PDF page (1-based) or an image frame (0-based)."""

    model_config = ConfigDict(frozen=True)

    number: int
    path: Path
    file_type: FileType
    frame: int


class LoadedDocument(BaseModel):
    model_config = ConfigDict(frozen=True)

    document_id: str
    path: Path
    file_type: FileType
    pages: tuple[OcrPage | PageRef, ...]


def sniff_type(head: bytes) -> FileType:
    for magic, file_type in _MAGIC:
        if head.startswith(magic):
            return file_type
    # Some PDF writers put junk before the header; readers accept it within the first KiB.
    if b"%PDF-" in head[:1024]:
        return FileType.PDF
    raise UnsupportedType("not a PDF, PNG, JPEG or TIFF file (type detected from content, not the name)")


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def unreadable_file(path: Path, error: OSError) -> DocumentError:
    """The coded error for a path whose bytes cannot be read: ``file_not_found`` when nothing is there."""
    if isinstance(error, FileNotFoundError):
        return MissingFile(f"{path.name} does not exist (check the path)")
    return CorruptDocument(f"cannot read {path.name}: {error.strerror or error}")


def load_document(path: Path, limits: LoadLimits = LoadLimits()) -> LoadedDocument:
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise unreadable_file(path, exc) from exc
    if not head:
        raise EmptyDocument("the file is empty (0 bytes)")
    file_type = sniff_type(head)
    pages = _pdf_pages(path, limits) if file_type is FileType.PDF else _image_pages(path, file_type, limits)
    return LoadedDocument(document_id=hash_file(path), path=path, file_type=file_type, pages=pages)


def _pdf_info(path: Path, limits: LoadLimits) -> dict[str, str]:
    """pdfinfo's rows, with every page's boxes up to the page limit ("Page    2 MediaBox": "0 0 612 792")."""
    run = subprocess.run(
        ["pdfinfo", "-box", "-f", "1", "-l", str(limits.max_pages), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if "Incorrect password" in run.stderr:
        raise EncryptedPdf("the PDF is encrypted with a password; save an unprotected copy and retry")
    if run.returncode != 0:
        raise CorruptDocument("the PDF cannot be read (truncated or corrupt): " + run.stderr.strip()[:200])
    info = {}
    for row in run.stdout.splitlines():
        key, _, value = row.partition(":")
        info[key.strip()] = value.strip()
    return info


def _pdf_pages(path: Path, limits: LoadLimits) -> tuple[OcrPage | PageRef, ...]:
    info = _pdf_info(path, limits)
    if info.get("Encrypted", "no").startswith("yes"):
        raise EncryptedPdf("the PDF is encrypted; save an unprotected copy and retry")
    count = int(info.get("Pages", "0") or 0)
    if count < 1:
        raise CorruptDocument("the PDF has no pages")
    if count > limits.max_pages:
        raise TooManyPages(
            f"the PDF has {count} pages; the limit is {limits.max_pages} (NOTICEFLOW_MAX_PAGES)"
        )
    _check_pdf_page_sizes(info, limits)
    text_pages = read_text_layer(path, limits.render_dpi)
    pages: list[OcrPage | PageRef] = []
    for number in range(1, count + 1):
        text_page = text_pages.get(number)
        if text_page is not None and _has_real_text(text_page, limits):
            pages.append(text_page)
        else:
            pages.append(PageRef(number=number, path=path, file_type=FileType.PDF, frame=number))
    return tuple(pages)


_PAGE_BOX = re.compile(r"Page\s+(\d+) \w+Box")
_BOX = re.compile(r"(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)")


def _check_pdf_page_sizes(info: dict[str, str], limits: LoadLimits) -> None:
    """Refuse any page that would render past the pixel limit, before rendering one: each page's largest box
    ("Page    2 MediaBox:  0.00 0.00 4000.00 4000.00"; pdftoppm renders the media box) at the render DPI."""
    sizes: dict[int, tuple[float, float]] = {}
    for key, value in info.items():
        page, box = _PAGE_BOX.fullmatch(key), _BOX.fullmatch(value)
        if page and box:
            x1, y1, x2, y2 = (float(v) for v in box.groups())
            width, height = sizes.get(int(page.group(1)), (0.0, 0.0))
            sizes[int(page.group(1))] = (max(width, abs(x2 - x1)), max(height, abs(y2 - y1)))
    for number, points in sorted(sizes.items()):
        width, height = (round(v / POINTS_PER_INCH * limits.render_dpi) for v in points)
        _check_pixels((width, height), limits, number)


def _has_real_text(page: OcrPage, limits: LoadLimits) -> bool:
    return sum(ch.isalnum() for ch in page.text) >= limits.min_text_chars


def _image_pages(path: Path, file_type: FileType, limits: LoadLimits) -> tuple[PageRef, ...]:
    if file_type is FileType.TIFF:
        _check_tiff_frame_count(path, limits)
    try:
        with Image.open(path) as image:
            frames = getattr(image, "n_frames", 1)
            if frames > limits.max_pages:
                raise TooManyPages(f"the image has {frames} pages; the limit is {limits.max_pages}")
            for frame in range(frames):
                image.seek(frame)
                _check_pixels(image.size, limits, frame + 1)
            image.seek(0)
            # A truncated file fails here, not later. A PNG's chunk checksums tell without decoding (0.3 ms
            # against 30 ms for a page; the OCR stage decodes it once); other types decode the first frame.
            if file_type is FileType.PNG:
                image.verify()
            else:
                image.load()
    except _DECODER_ERRORS as exc:
        raise CorruptDocument(
            f"the {file_type} image cannot be decoded (truncated or corrupt): {exc}"
        ) from exc
    return tuple(
        PageRef(number=frame + 1, path=path, file_type=file_type, frame=frame) for frame in range(frames)
    )


def _check_tiff_frame_count(path: Path, limits: LoadLimits) -> None:
    """Refuse a TIFF with more frames than the page limit by walking its IFD chain, at most one past the
    limit: Pillow's ``n_frames`` sets up every frame it passes, in time that grows with the square of the
    frames (20,000 frames chained in 2.4 MB took 33 s; this walk 11 ms). A chain that loops or leaves the
    file ends here; Pillow says what is wrong with it."""
    data = path.read_bytes()
    order = "<" if data[:2] == b"II" else ">"
    seen: set[int] = set()
    offset = _unpacked(data, order + "I", 4)
    while offset and offset not in seen and len(seen) <= limits.max_pages:
        seen.add(offset)
        entries = _unpacked(data, order + "H", offset)
        offset = _unpacked(data, order + "I", offset + 2 + 12 * entries) if entries is not None else None
    if len(seen) > limits.max_pages:
        raise TooManyPages(
            f"the image has more than {limits.max_pages} pages; the limit is {limits.max_pages}"
        )


def _unpacked(data: bytes, layout: str, offset: int) -> int | None:
    """One number at ``offset``, None past the end of the data."""
    size = struct.calcsize(layout)
    return struct.unpack(layout, data[offset : offset + size])[0] if offset + size <= len(data) else None


def _check_pixels(size: tuple[int, int], limits: LoadLimits, page: int) -> None:
    width, height = size
    if min(width, height) < MIN_PAGE_PIXELS:
        raise ImageTooSmall(f"page {page} is {width}x{height} pixels: too small to hold a notice")
    if width * height > limits.max_pixels:
        limit = f"{limits.max_pixels:,} (NOTICEFLOW_MAX_PIXELS)"
        raise ImageTooLarge(f"page {page} is {width}x{height} pixels; the limit is {limit}")


def render_page(ref: PageRef, limits: LoadLimits = LoadLimits()) -> PageImage:
    """The pixels of one page, greyscale, with the DPI they were scanned or rendered at."""
    if ref.file_type is FileType.PDF:
        return _render_pdf_page(ref, limits)
    try:
        with Image.open(ref.path) as image:
            image.seek(ref.frame)
            across, down = _image_dpi(image)
            pixels = np.asarray(image.convert("L"))
    except _DECODER_ERRORS as exc:
        raise CorruptDocument(f"page {ref.number} cannot be decoded: {exc}") from exc
    if across == down:
        return PageImage(number=ref.number, dpi=across, pixels=pixels)
    return PageImage(number=ref.number, dpi=max(across, down), pixels=_square(pixels, across, down))


def _image_dpi(image: Image.Image) -> tuple[int, int]:
    """The DPI recorded in the file across and down the page (a standard fax: 204 x 98), or one estimated
    from the page width (a US letter page is 8.5 in)."""
    recorded = image.info.get("dpi")
    if recorded and all(50 <= float(value) <= 1200 for value in recorded[:2]):
        across, down = (round(float(value)) for value in recorded[:2])
        return (across, across) if abs(across - down) <= _SAME_DPI * across else (across, down)
    estimated = max(72, round(image.size[0] / LETTER_WIDTH_IN))
    return estimated, estimated


def _square(pixels: np.ndarray, across: int, down: int) -> np.ndarray:
    """A page scanned at two resolutions stretched along the coarser one, so that its letters have their
    shape: a standard fax's 98 lines an inch under 204 dots squash every glyph to half its height, and
    tesseract read "CP92" as "CPRY2"."""
    height, width = pixels.shape
    size = (width * max(across, down) // across, height * max(across, down) // down)
    return cv2.resize(pixels, size, interpolation=cv2.INTER_CUBIC)


def _embedded_page_image(ref: PageRef, limits: LoadLimits) -> PageImage | None:
    """A scanned PDF page's own image, taken out as stored (0.04 s against 0.2 s to render it again), when
    the page is exactly one image at a scanning resolution; None otherwise."""
    page = str(ref.frame)
    listing = subprocess.run(["pdfimages", "-list", "-f", page, "-l", page, str(ref.path)],
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    rows = [row.split() for row in listing.stdout.splitlines()[2:]]
    if listing.returncode != 0 or len(rows) != 1 or rows[0][2] != "image":
        return None
    ppi, ppi_down = round(float(rows[0][12])), round(float(rows[0][13]))
    if not MIN_EMBEDDED_PPI <= ppi <= 600 or ppi != ppi_down:  # a fax's 204 x 98: rendering squares it
        return None
    _check_pixels((int(rows[0][3]), int(rows[0][4])), limits, ref.number)  # before extracting it
    with tempfile.TemporaryDirectory(prefix="noticeflow-page-") as scratch:
        extracted = subprocess.run(["pdfimages", "-j", "-f", page, "-l", page, str(ref.path), f"{scratch}/p"],
                                   capture_output=True, timeout=60)  # fmt: skip
        files = list(Path(scratch).iterdir())
        if extracted.returncode != 0 or len(files) != 1:
            return None
        pixels = cv2.imread(str(files[0]), cv2.IMREAD_GRAYSCALE)
    if pixels is None:
        return None
    return PageImage(number=ref.number, dpi=ppi, pixels=pixels, steps=("embedded_image",))


def _render_pdf_page(ref: PageRef, limits: LoadLimits) -> PageImage:
    embedded = _embedded_page_image(ref, limits)
    if embedded is not None:
        return embedded
    # pdftoppm writes uncompressed PGM to stdout: no PNG encoding, no temp file.
    run = subprocess.run(
        [
            "pdftoppm",
            "-gray",
            "-r",
            str(limits.render_dpi),
            "-f",
            str(ref.frame),
            "-l",
            str(ref.frame),
            str(ref.path),
        ],
        capture_output=True,
        timeout=120,
    )
    if run.returncode != 0 or not run.stdout:
        raise CorruptDocument(f"page {ref.number} of the PDF cannot be rendered: {run.stderr.decode()[:200]}")
    pixels = cv2.imdecode(np.frombuffer(run.stdout, np.uint8), cv2.IMREAD_GRAYSCALE)
    if pixels is None:
        raise CorruptDocument(f"page {ref.number} of the PDF rendered to an unreadable image")
    _check_pixels((pixels.shape[1], pixels.shape[0]), limits, ref.number)  # a page pdfinfo could not size
    return PageImage(number=ref.number, dpi=limits.render_dpi, pixels=pixels)
