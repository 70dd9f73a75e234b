"""Loading: type sniffed from content, and every named fault refused with its stable code."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

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


def test_same_bytes_same_document_id(tmp_path: Path) -> None:
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    Image.new("L", (850, 1100), 255).save(a)
    b.write_bytes(a.read_bytes())
    assert load_document(a).document_id == load_document(b).document_id
