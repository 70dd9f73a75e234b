"""Fuzzing the load stage: damaged real PDFs, PNGs, JPEGs and TIFFs give a result or a coded error.

Seeds are the committed samples (images re-encoded 440 pixels wide, a scanned PDF rebuilt around such a
page, so thousands of mutants fit in CI time) and each mutant is one damage: bit flips, truncation, a span
overwritten, or a format's own weak spot (a PNG chunk's length or CRC, a JPEG's frame size, a TIFF's tags
and IFD chain, a PDF's xref, MediaBox and page count). Every mutant goes through ``load_document``; where a
page loads it is rendered, cleaned and read by the fake OCR engine (never tesseract). Each must end in a
result or a ``NoticeflowError`` with its own code, within ``PER_FILE_S`` (a hang is a failure, not a slow
run) and ``MAX_TRACED_BYTES`` of Python/NumPy allocations; the process's peak RSS may grow by at most
``MAX_RSS_GROWTH``. The counts and the figures measured are printed (``pytest -s`` not needed).
"""

from __future__ import annotations

import io
import re
import resource
import signal
import struct
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from pipeline.errors import NoticeflowError
from pipeline.load import LoadLimits, PageRef, load_document, render_page
from pipeline.ocr import ocr_page
from pipeline.preprocess import CleanConfig, preprocess_page
from tests.test_ocr_page import FakeEngine, _words

pytestmark = pytest.mark.slow  # a long file: an xdist worker takes it first (tests/conftest.py)
SAMPLES = Path(__file__).parent.parent / "fixtures" / "samples"
PER_FILE_S = 30  # a hang detector on a loaded CI machine; typical files take milliseconds
MAX_TRACED_BYTES = 400 * 2**20
MAX_RSS_GROWTH = 1536 * 2**20
SEED_WIDTH = 440  # pixels: a page at ~50 dpi, above the 200-pixel floor, cheap to clean
# Lower limits than production's, so a declared size between them is refused rather than decoded for
# seconds; the checks are the same code.
LIMITS = LoadLimits(render_dpi=100, max_pixels=4_000_000)
CLEAN = CleanConfig(target_dpi=50)
EXAMPLES = {"pdf": 250, "png": 750, "jpeg": 500, "tiff": 500}  # 2,000 mutated files in all


@dataclass
class Tally:
    """What one format's run saw: how many files, how they ended, the slowest and the largest."""

    files: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    slowest_s: float = 0.0
    peak_traced: int = 0


# ---- seeds ------------------------------------------------------------------------------------------------


def _small(path: Path, **save: object) -> bytes:
    """The sample re-encoded in its own format, SEED_WIDTH pixels wide, every frame kept."""
    out = io.BytesIO()
    with Image.open(path) as image:
        frames = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frames.append(image.resize((SEED_WIDTH, image.height * SEED_WIDTH // image.width)))
        fmt = str(image.format)
        frames[0].save(out, fmt, save_all=len(frames) > 1, append_images=frames[1:], **save)
    return out.getvalue()


def _scanned_pdf() -> bytes:
    """A scanned PDF as a scanner writes it, one page image at 200 ppi (a small page, to stay fast)."""
    with Image.open(SAMPLES / "notice_0009.png") as image:
        page = image.resize((SEED_WIDTH, image.height * SEED_WIDTH // image.width))
    out = io.BytesIO()
    page.save(out, "PDF", resolution=200)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeds() -> dict[str, list[bytes]]:
    return {
        "pdf": [(SAMPLES / "notice_0006.pdf").read_bytes(), (SAMPLES / "notice_0011.pdf").read_bytes(),
                _scanned_pdf()],
        "png": [_small(SAMPLES / "notice_0009.png"), _small(SAMPLES / "notice_0010.png")],
        "jpeg": [_small(SAMPLES / "notice_0012.jpg", quality=80)],
        "tiff": [_small(SAMPLES / "notice_0005.tif", compression="tiff_lzw"),
                 _small(SAMPLES / "notice_0015.tif", compression="group4")],
    }  # fmt: skip


# ---- damage -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Damage:
    """One mutation, shown by its label when hypothesis reports a failing file."""

    label: str
    apply: Callable[[bytes], bytes]

    def __repr__(self) -> str:
        return self.label


@st.composite
def generic_damage(draw: st.DrawFn) -> Damage:
    """Bit flips, a truncation, or a span overwritten with random bytes, anywhere in the file."""
    kind = draw(st.sampled_from(["flip", "truncate", "overwrite"]))
    at = draw(st.floats(0, 1, exclude_max=True))
    if kind == "flip":
        bits = draw(st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 7)), min_size=1,
                             max_size=16))  # fmt: skip
        return Damage(f"flip {bits}", lambda data: _flip(data, bits))
    if kind == "truncate":
        return Damage(f"truncate at {at}", lambda data: data[: int(len(data) * at)])
    junk = draw(st.binary(min_size=1, max_size=64))
    return Damage(
        f"overwrite at {at} with {junk!r}",
        lambda data: data[: int(len(data) * at)] + junk + data[int(len(data) * at) + len(junk) :],
    )


def _flip(data: bytes, bits: list[tuple[float, int]]) -> bytes:
    flipped = bytearray(data)
    for where, bit in bits:
        flipped[int(len(data) * where)] ^= 1 << bit
    return bytes(flipped)


def _png_chunks(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(offset, type) of each chunk of a PNG."""
    at = 8
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        yield at, kind
        at += 12 + length


@st.composite
def png_damage(draw: st.DrawFn) -> Damage:
    """A chunk's length, type or CRC broken, a huge IHDR (its CRC right), or the end chunk dropped."""
    kind = draw(st.sampled_from(["length", "crc", "type", "huge", "no_iend"]))
    width, height = draw(st.integers(1, 2**31 - 1)), draw(st.integers(1, 2**31 - 1))
    pick, value = draw(st.integers(0, 100)), draw(st.integers(0, 2**32 - 1))

    def damage(data: bytes) -> bytes:
        chunks = list(_png_chunks(data))
        at, chunk_type = chunks[pick % len(chunks)]
        out = bytearray(data)
        if kind == "huge":
            ihdr = struct.pack(">4sII", b"IHDR", width, height) + data[24:29]
            out[16:33] = ihdr[4:] + struct.pack(">I", zlib.crc32(ihdr))
        elif kind == "length":
            out[at : at + 4] = struct.pack(">I", value)
        elif kind == "crc":
            length = struct.unpack(">I", data[at : at + 4])[0]
            out[at + 8 + length : at + 12 + length] = struct.pack(">I", value)
        elif kind == "type":
            out[at + 4 : at + 8] = bytes(reversed(chunk_type))
        else:
            return data[: chunks[-1][0]]
        return bytes(out)

    return Damage(f"png {kind} chunk {pick} value {value} size {width}x{height}", damage)


@st.composite
def jpeg_damage(draw: st.DrawFn) -> Damage:
    """The frame header's size changed (up to 65535 x 65535, or 0), or a marker segment's length broken."""
    kind = draw(st.sampled_from(["size", "segment_length", "no_eoi"]))
    width, height = draw(st.integers(0, 65535)), draw(st.integers(0, 65535))
    pick, value = draw(st.integers(0, 100)), draw(st.integers(0, 65535))

    def damage(data: bytes) -> bytes:
        out = bytearray(data)
        if kind == "no_eoi":
            return data[: data.rfind(b"\xff\xd9")]
        if kind == "size":
            sof = data.find(b"\xff\xc0")
            out[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
        else:
            markers = [
                m.start() for m in re.finditer(rb"\xff[\xc0-\xfe]", data[: data.find(b"\xff\xda") + 2])
            ]
            at = markers[pick % len(markers)]
            out[at + 2 : at + 4] = struct.pack(">H", value)
        return bytes(out)

    return Damage(f"jpeg {kind} marker {pick} value {value} size {width}x{height}", damage)


@st.composite
def tiff_damage(draw: st.DrawFn) -> Damage:
    """A tag of the first IFD given another value (width, height, strip offsets and counts: huge or
    nonsense), the IFD chain looped back on itself or pointed past the end, or the tag count broken."""
    kind = draw(st.sampled_from(["tag_value", "loop", "past_end", "tag_count", "many_frames"]))
    pick, value = draw(st.integers(0, 100)), draw(st.integers(0, 2**32 - 1))

    def damage(data: bytes) -> bytes:
        order = "<" if data[:2] == b"II" else ">"
        ifd = struct.unpack(order + "I", data[4:8])[0]
        count = struct.unpack(order + "H", data[ifd : ifd + 2])[0]
        out = bytearray(data)
        next_at = ifd + 2 + 12 * count
        if kind == "many_frames":
            return _many_frames(data, order, ifd, 51 + pick * 20)
        if kind == "loop":
            out[next_at : next_at + 4] = struct.pack(order + "I", ifd)
        elif kind == "past_end":
            out[next_at : next_at + 4] = struct.pack(order + "I", len(data) + value % 2**20)
        elif kind == "tag_count":
            entry = ifd + 2 + 12 * (pick % count)
            out[entry + 4 : entry + 8] = struct.pack(order + "I", value)
        else:
            entry = ifd + 2 + 12 * (pick % count)
            out[entry + 8 : entry + 12] = struct.pack(order + "I", value)
        return bytes(out)

    return Damage(f"tiff {kind} tag {pick} value {value}", damage)


def _many_frames(data: bytes, order: str, ifd: int, frames: int) -> bytes:
    """A page-count bomb: the first IFD copied ``frames`` times in a chain, every copy naming the first
    frame's pixels (a few bytes per page)."""
    count = struct.unpack(order + "H", data[ifd : ifd + 2])[0]
    entries = data[ifd : ifd + 2 + 12 * count]
    out = bytearray(data + b"\0" * (len(data) % 2))
    size, start = len(entries) + 4, len(out)
    out[ifd + 2 + 12 * count : ifd + 6 + 12 * count] = struct.pack(order + "I", start)
    for index in range(frames):
        following = start + (index + 1) * size if index + 1 < frames else 0
        out += entries + struct.pack(order + "I", following)
    return bytes(out)


@st.composite
def pdf_damage(draw: st.DrawFn) -> Damage:
    """The xref table or ``startxref`` broken, a MediaBox made huge or inverted, or the page count a bomb."""
    kind = draw(st.sampled_from(["startxref", "xref_offset", "no_xref", "mediabox", "count", "many_pages"]))
    number, pick = draw(st.integers(-(2**31), 2**40)), draw(st.integers(0, 100))
    side = draw(st.sampled_from(["14400", "99999", "1e9", "-612", "0", "nan", "612 792 0 0"]))

    def damage(data: bytes) -> bytes:
        if kind == "startxref":
            return re.sub(rb"startxref\s+\d+", b"startxref\n%d" % number, data)
        if kind == "xref_offset":
            offsets = list(re.finditer(rb"\n(\d{10}) (\d{5}) n", data))
            if not offsets:
                return data
            at = offsets[pick % len(offsets)].start(1)
            return data[:at] + b"%010d" % (abs(number) % 10**10) + data[at + 10 :]
        if kind == "no_xref":
            return data.replace(b"xref", b"xxxx", 1)
        if kind == "mediabox":
            box = b"/MediaBox [0 0 %s %s]" % (side.encode(), side.encode())
            return re.sub(rb"/MediaBox\s*\[[^\]]*\]", box, data, count=1)
        if kind == "count":
            return re.sub(rb"/Count\s+\d+", b"/Count %d" % number, data, count=1)
        return _many_pages(51 + pick * 20)

    return Damage(f"pdf {kind} number {number} pick {pick} side {side}", damage)


def _many_pages(pages: int) -> bytes:
    """A page-count bomb: a small, valid PDF of thousands of blank pages."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>"]
    objects += ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * pages
    body, offsets = b"%PDF-1.4\n", []
    for index, text in enumerate(objects, 1):
        offsets.append(len(body))
        body += f"{index} 0 obj\n{text}\nendobj\n".encode()
    table = "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    xref = f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n{table}"
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{len(body)}\n%%EOF\n"
    return body + xref.encode() + trailer.encode()


DAMAGE = {
    "pdf": st.one_of(generic_damage(), pdf_damage()),
    "png": st.one_of(generic_damage(), png_damage()),
    "jpeg": st.one_of(generic_damage(), jpeg_damage()),
    "tiff": st.one_of(generic_damage(), tiff_damage()),
}


# ---- one file through the stages -------------------------------------------------------------------------


class Hang(Exception):
    """A file took longer than ``PER_FILE_S``."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def read_mutant(path: Path, workdir: Path) -> str:
    """How the file ended: "loaded", "read" (a page rendered, cleaned and OCR'd), or an error code. Any
    other exception is what the fuzzing looks for and propagates."""
    try:
        loaded = load_document(path, LIMITS)
        ref = next((page for page in loaded.pages if isinstance(page, PageRef)), None)
        if ref is None:
            return "loaded"
        cleaned = preprocess_page(render_page(ref, LIMITS), CLEAN)
        ocr_page(cleaned, FakeEngine([_words(0.95)] * 4, rotation=0), workdir)
        return "read"
    except NoticeflowError as error:
        assert type(error).code != NoticeflowError.code and error.message, f"uncoded {error!r}"
        return error.code


def _fuzz(
    kind: str, seeds: dict[str, list[bytes]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tally, rss_before = Tally(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.perf_counter()

    @settings(max_examples=EXAMPLES[kind], deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(seed=st.integers(0, len(seeds[kind]) - 1), damage=DAMAGE[kind])
    def one_file(seed: int, damage: Damage) -> None:
        path = tmp_path / f"mutant.{kind}"
        path.write_bytes(damage.apply(seeds[kind][seed]))
        tracemalloc.start()
        begun = time.perf_counter()
        try:
            with _time_limit(PER_FILE_S):
                outcome = read_mutant(path, tmp_path)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < MAX_TRACED_BYTES, f"{peak / 2**20:.0f} MiB traced for one file"
        tally.files += 1
        tally.outcomes[outcome] = tally.outcomes.get(outcome, 0) + 1
        tally.slowest_s = max(tally.slowest_s, time.perf_counter() - begun)
        tally.peak_traced = max(tally.peak_traced, peak)

    one_file()
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
    with capsys.disabled():
        print(f"\nfuzz {kind}: {tally.files} mutated files in {time.perf_counter() - started:.1f} s, "
              f"slowest {tally.slowest_s:.2f} s, peak traced {tally.peak_traced / 2**20:.1f} MiB, "
              f"peak RSS growth {growth / 2**20:.0f} MiB; {dict(sorted(tally.outcomes.items()))}"
        )  # fmt: skip
    assert tally.files >= EXAMPLES[kind]
    assert growth < MAX_RSS_GROWTH


@pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")  # Pillow's notes on damaged tags
@pytest.mark.parametrize("kind", list(EXAMPLES))
def test_mutated_files_end_in_a_result_or_a_coded_error(
    kind: str, seeds: dict[str, list[bytes]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fuzz(kind, seeds, tmp_path, capsys)
