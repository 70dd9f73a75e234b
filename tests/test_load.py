"""Loading: type sniffed from content, and every named fault refused with its stable code."""

from __future__ import annotations

import struct
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from pipeline.errors import (
    CorruptDocument,
    EmptyDocument,
    EncryptedPdf,
    ImageTooLarge,
    NoticeflowError,
    TooManyPages,
    UnsupportedType,
)
from pipeline.load import FileType, LoadLimits, PageRef, load_document, render_page

FAULTS = Path(__file__).parent.parent / "fixtures" / "faults"


@pytest.mark.parametrize(
    ("name", "error"),
    [
        pytest.param("empty.pdf", EmptyDocument, id="empty"),
        pytest.param("truncated.pdf", CorruptDocument, id="truncated-pdf"),
        pytest.param("truncated.png", CorruptDocument, id="truncated-png"),
        pytest.param("encrypted.pdf", EncryptedPdf, id="encrypted-pdf"),
        pytest.param("not-a-notice.png", UnsupportedType, id="gif-named-png"),
    ],
)
def test_fault_fixtures_are_refused_with_their_code(name: str, error: type[NoticeflowError]) -> None:
    with pytest.raises(error) as raised:
        load_document(FAULTS / name)
    assert raised.value.code == error.code
    assert raised.value.message


def _png_header_only(path: Path, width: int, height: int) -> Path:
    """A tiny file that claims a huge image: the decompression-bomb shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )
    return path


def test_image_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    with pytest.raises(ImageTooLarge):
        load_document(_png_header_only(tmp_path / "bomb.png", 60_000, 60_000))


def _blank_pdf(path: Path, boxes: list[str]) -> Path:
    """A PDF of blank pages, one per box entry ("/MediaBox [0 0 612 792]"), a few hundred bytes."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(len(boxes)))
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(boxes)} >>",
        *(f"<< /Type /Page /Parent 2 0 R {box} >>" for box in boxes),
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, text in enumerate(objects, 1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n{text}\nendobj\n".encode()
    xref = f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(
        f"{o:010d} 00000 n \n" for o in offsets
    )
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{len(body)}\n%%EOF\n"
    path.write_bytes(body + (xref + trailer).encode())
    return path


LETTER = "/MediaBox [0 0 612 792]"


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The programs load and render run (the real ones: recorded, then run)."""
    ran: list[str] = []
    real_run = subprocess.run

    def run(args: list[str], *rest: Any, **options: Any) -> Any:
        ran.append(" ".join(args[:2]))
        return real_run(args, *rest, **options)

    monkeypatch.setattr(subprocess, "run", run)
    yield ran


def test_every_pdf_page_is_sized_before_any_is_rendered(tmp_path: Path, commands: list[str]) -> None:
    bomb = _blank_pdf(tmp_path / "bomb.pdf", [LETTER, "/MediaBox [0 0 4000 4000]"])
    assert bomb.stat().st_size < 2_500
    with pytest.raises(ImageTooLarge) as raised:
        load_document(bomb)
    assert raised.value.code == "image_too_large"
    assert raised.value.message.startswith("page 2 is 16667x16667 pixels")
    assert commands == ["pdfinfo -box"]  # no pdftotext, pdfimages or pdftoppm ran
    letters = load_document(_blank_pdf(tmp_path / "two.pdf", [LETTER, LETTER]))
    assert [page.number for page in letters.pages] == [1, 2]


def test_a_small_crop_box_does_not_hide_a_huge_media_box(tmp_path: Path) -> None:
    hidden = _blank_pdf(tmp_path / "hidden.pdf", ["/MediaBox [0 0 9000 9000] /CropBox [0 0 612 792]"])
    with pytest.raises(ImageTooLarge, match="^page 1 is 37500x37500 pixels"):
        load_document(hidden)


def test_an_embedded_page_image_is_sized_before_it_is_extracted(tmp_path: Path, commands: list[str]) -> None:
    path = tmp_path / "scan.pdf"
    Image.new("L", (2550, 3300), 255).save(path, resolution=300)  # a letter page, one 300-ppi image
    limits = LoadLimits(render_dpi=100, max_pixels=2_000_000)  # the page at 100 dpi fits, its image does not
    page = load_document(path, limits).pages[0]
    assert isinstance(page, PageRef)
    with pytest.raises(ImageTooLarge, match="^page 1 is 2550x3300 pixels"):
        render_page(page, limits)
    assert "pdfimages -j" not in commands and "pdftoppm -gray" not in commands


def test_page_limit(tmp_path: Path) -> None:
    path = tmp_path / "three.tif"
    pages = [Image.new("L", (850, 1100), 255) for _ in range(3)]
    pages[0].save(path, save_all=True, append_images=pages[1:], dpi=(100, 100))
    with pytest.raises(TooManyPages):
        load_document(path, LoadLimits(max_pages=2))
    loaded = load_document(path)
    assert [page.number for page in loaded.pages] == [1, 2, 3]
    assert loaded.file_type is FileType.TIFF


def test_type_comes_from_content_not_name(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    Image.new("L", (850, 1100), 255).save(path, format="PNG", dpi=(100, 100))
    loaded = load_document(path)
    assert loaded.file_type is FileType.PNG
    page = loaded.pages[0]
    assert isinstance(page, PageRef)
    assert render_page(page).dpi == 100


def test_dpi_estimated_from_letter_width_when_missing(tmp_path: Path) -> None:
    path = tmp_path / "nodpi.png"
    Image.new("L", (1700, 2200), 255).save(path)
    page = load_document(path).pages[0]
    assert isinstance(page, PageRef)
    assert render_page(page).dpi == 200


def test_a_standard_fax_is_stretched_to_square_pixels(tmp_path: Path) -> None:
    """A standard fax is 204 dots an inch across and 98 lines down: read as stored, every letter is half
    its height (tesseract read "CP92" as "CPRY2")."""
    path = tmp_path / "fax.tif"
    fax = Image.new("1", (1734, 1078), 1)
    fax.paste(0, (100, 100, 300, 110))  # a bar 200 dots wide and 10 lines (0.1 inch) high
    fax.save(path, format="TIFF", compression="group4", dpi=(204, 98))
    page = load_document(path).pages[0]
    assert isinstance(page, PageRef)
    image = render_page(page)
    assert image.dpi == 204 and image.pixels.shape == (2244, 1734)  # 11 inches down at 204 lines an inch
    rows = np.flatnonzero((image.pixels < 128).any(axis=1))
    assert 19 <= len(rows) <= 23  # the bar is 0.1 inch high again: about 20 rows, not 10


def test_same_bytes_same_document_id(tmp_path: Path) -> None:
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    Image.new("L", (850, 1100), 255).save(a)
    b.write_bytes(a.read_bytes())
    assert load_document(a).document_id == load_document(b).document_id


# ---- faults found by tests/test_fuzz_load.py, each as its smallest file -----------------------------------


def _two_frame_tiff(path: Path) -> bytearray:
    page = Image.new("L", (300, 300), 255)
    page.save(path, save_all=True, append_images=[page.copy()])
    return bytearray(path.read_bytes())


def _second_ifd_entry(data: bytearray, tag: int) -> int:
    """Where the second frame's entry for ``tag`` starts (a little-endian TIFF)."""
    first = struct.unpack("<I", data[4:8])[0]
    count = struct.unpack("<H", data[first : first + 2])[0]
    second = struct.unpack("<I", data[first + 2 + 12 * count : first + 6 + 12 * count])[0]
    entries = range(second + 2, second + 2 + 12 * struct.unpack("<H", data[second : second + 2])[0], 12)
    return next(at for at in entries if struct.unpack("<H", data[at : at + 2])[0] == tag)


@pytest.mark.parametrize(
    ("field", "value", "pillow_raised"),
    [
        pytest.param(0, struct.pack("<H", 65000), "TypeError: Missing dimensions", id="no-width-tag"),
        pytest.param(2, struct.pack("<H", 7), "ValueError: Invalid dimensions", id="width-of-type-undefined"),
    ],
)
def test_a_tiff_whose_second_frame_has_broken_dimensions_is_a_corrupt_file(
    tmp_path: Path, field: int, value: bytes, pillow_raised: str
) -> None:
    path = tmp_path / "two.tif"
    data = _two_frame_tiff(path)
    at = _second_ifd_entry(data, 256) + field  # the width entry: its tag (0) or its type (2)
    data[at : at + 2] = value
    path.write_bytes(data)
    with pytest.raises(CorruptDocument) as raised:
        load_document(path)
    assert pillow_raised.split(": ")[1] in raised.value.message


def test_a_png_whose_header_chunk_is_empty_is_a_corrupt_file(tmp_path: Path) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path = tmp_path / "empty-ihdr.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", b"") + chunk(b"IEND", b""))  # Pillow: ValueError
    # Pillow's PNG plugin names the chunk; once another library has registered every plugin (WeasyPrint
    # does), Pillow says only that no plugin identifies the file. Either way: a corrupt file, coded.
    with pytest.raises(CorruptDocument, match="Truncated IHDR chunk|cannot identify image file"):
        load_document(path)


def test_a_tiff_frame_bomb_is_refused_before_pillow_sets_up_its_frames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2,000 frames chained in 400 KB: Pillow's frame count sets up each one (1 s here, 33 s for 20,000)."""
    path = tmp_path / "bomb.tif"
    data = _two_frame_tiff(path)
    first = struct.unpack("<I", data[4:8])[0]
    count = struct.unpack("<H", data[first : first + 2])[0]
    entries, start = bytes(data[first : first + 2 + 12 * count]), len(data)
    data[first + 2 + 12 * count : first + 6 + 12 * count] = struct.pack("<I", start)
    for index in range(2000):
        following = start + (index + 1) * (len(entries) + 4) if index < 1999 else 0
        data += entries + struct.pack("<I", following)
    path.write_bytes(data)
    opened: list[object] = []
    monkeypatch.setattr(Image, "open", lambda *args, **kwargs: opened.append(args))
    with pytest.raises(TooManyPages, match="more than 50 pages"):
        load_document(path)
    assert opened == []  # refused from the IFD chain, before Pillow opened the file
    monkeypatch.undo()
    loop = _two_frame_tiff(tmp_path / "loop.tif")  # a chain that loops back on itself is not counted forever
    second = _second_ifd_entry(loop, 256) - 2
    entries_end = second + 2 + 12 * struct.unpack("<H", loop[second : second + 2])[0]
    loop[entries_end : entries_end + 4] = struct.pack("<I", second)
    (tmp_path / "loop.tif").write_bytes(loop)
    assert [page.number for page in load_document(tmp_path / "loop.tif").pages] == [1, 2]
