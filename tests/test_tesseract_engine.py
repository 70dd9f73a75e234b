"""The tesseract engine: long-lived processes read pages from stdin and give the words a one-off run gives."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import pytesseract
import pytest

from pipeline.errors import OcrEngineError
from pipeline.models import OcrWord
from pipeline.tesseract import TesseractEngine, parse_tsv_words

SAMPLES = Path(__file__).parent.parent / "fixtures" / "samples"


def test_tsv_rows_become_words_with_confidence_0_to_1() -> None:
    tsv = "\n".join(
        [
            "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
            "1\t1\t0\t0\t0\t0\t0\t0\t2550\t3300\t-1\t",
            "4\t1\t1\t1\t1\t0\t240\t200\t800\t40\t-1\t",
            "5\t1\t1\t1\t1\t1\t240\t200\t300\t40\t96.5\tNotice",
            "5\t1\t1\t1\t1\t2\t560\t200\t120\t40\t91\tCP14",
            "5\t1\t1\t1\t1\t3\t700\t200\t10\t40\t95\t ",
            "5\t1\t1\t1\t1\t4\t720\t200\t10\t40\t-1\tghost",
        ]
    )
    words = parse_tsv_words(tsv)
    assert [(w.text, w.confidence, w.bbox) for w in words] == [
        ("Notice", 0.96, (240, 200, 300, 40)),
        ("CP14", 0.91, (560, 200, 120, 40)),
    ]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two sample pages as the OCR stage writes them: uncompressed greyscale."""
    folder = tmp_path_factory.mktemp("pages")
    paths = []
    for name in ("notice_0021.png", "notice_0008.png"):
        path = folder / f"{Path(name).stem}.pgm"
        cv2.imwrite(str(path), cv2.imread(str(SAMPLES / name), cv2.IMREAD_GRAYSCALE))
        paths.append(path)
    return paths


def _one_off_words(path: Path, config: str = "--psm 3") -> list[tuple[str, float, tuple[int, int, int, int]]]:
    """(text, confidence, box) of every word pytesseract reads from ``path`` in a tesseract run of its own."""
    data = pytesseract.image_to_data(str(path), config=config, output_type=pytesseract.Output.DICT)
    columns = ("text", "conf", "left", "top", "width", "height")
    rows = zip(*(data[column] for column in columns), strict=True)
    return [(text.strip(), float(conf) / 100, (left, top, width, height))
            for text, conf, left, top, width, height in rows
            if text.strip() and float(conf) >= 0]  # fmt: skip


def _read(words: list[OcrWord]) -> list[tuple[str, float, tuple[int, int, int, int]]]:
    return [(word.text, word.confidence, word.bbox) for word in words]


@pytest.mark.tesseract
def test_pages_read_by_one_process_give_the_words_of_one_off_runs(pages: list[Path]) -> None:
    engine = TesseractEngine()
    try:
        read = [engine.recognize(path) for path in [*pages, pages[0]]]
    finally:
        engine.close()
    assert _read(read[0]) == _one_off_words(pages[0])
    assert _read(read[1]) == _one_off_words(pages[1])
    assert read[2] == read[0]  # the same page again, after another: nothing carried over


@pytest.mark.tesseract
def test_lines_read_by_one_process_give_the_words_of_one_off_runs(pages: list[Path], tmp_path: Path) -> None:
    """Crops of single rows (an SSN, a row layout analysis lost) read as lines, between whole pages."""
    page = cv2.imread(str(pages[0]), cv2.IMREAD_GRAYSCALE)
    first_words = _words(pages[0])[:3]
    rows = [_row_crop(page, word.bbox, tmp_path / f"row-{n}.pgm") for n, word in enumerate(first_words)]
    engine = TesseractEngine()
    try:
        read = [engine.recognize_line(rows[0]), engine.recognize(pages[1]), *map(engine.recognize_line, rows)]
    finally:
        engine.close()
    one_off = [_one_off_words(row, "--psm 7") for row in rows]
    assert [_read(words) for words in read[2:]] == one_off and read[0] == read[2]
    assert all(one_off) and _read(read[1]) == _one_off_words(pages[1])


def _words(path: Path) -> list[OcrWord]:
    engine = TesseractEngine()
    try:
        return engine.recognize(path)
    finally:
        engine.close()


def _row_crop(page: object, box: tuple[int, int, int, int], path: Path) -> Path:
    left, top, width, height = box
    cv2.imwrite(str(path), page[max(0, top - 10) : top + height + 10, max(0, left - 10) : left + width + 200])  # type: ignore[index]
    return path


@pytest.mark.tesseract
def test_concurrent_callers_each_get_their_own_page(pages: list[Path]) -> None:
    engine = TesseractEngine()
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            read = list(pool.map(engine.recognize, [pages[0], pages[1], pages[1], pages[0]]))
    finally:
        engine.close()
    assert read[0] == read[3] and read[1] == read[2] and read[0] != read[1]


@pytest.mark.tesseract
def test_a_page_tesseract_cannot_read_fails_alone(pages: list[Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken.pgm"
    broken.write_bytes(b"P5\nnot an image")
    engine = TesseractEngine()
    try:
        with pytest.raises(OcrEngineError, match="tesseract stopped"):
            engine.recognize(broken)
        assert _read(engine.recognize(pages[0])) == _one_off_words(pages[0])
    finally:
        engine.close()


@pytest.mark.tesseract
def test_a_page_over_the_time_limit_fails_and_the_next_one_reads(pages: list[Path]) -> None:
    engine = TesseractEngine(timeout_s=0.05)
    try:
        with pytest.raises(OcrEngineError, match="timed out"):
            engine.recognize(pages[0])
        engine.timeout_s = 120
        assert engine.recognize(pages[1])
    finally:
        engine.close()


def _tesseract_children(started_before: frozenset[int] = frozenset()) -> list[int]:
    """Process ids of the tesseracts this test process started and that are still running, but those in
    ``started_before`` (another test's engine in the same worker process may still be alive)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = stat.read_text().split("(", 1)[1].rsplit(")", 1)[0]
        except (OSError, IndexError):
            continue  # ended while listed
        if command == "tesseract" and fields[0] != "Z" and int(fields[1]) == os.getpid():
            children.append(int(stat.parent.name))
    return [child for child in children if child not in started_before]


def _already_running() -> frozenset[int]:
    return frozenset(_tesseract_children())


@pytest.mark.tesseract
def test_a_process_that_died_while_idle_is_replaced(pages: list[Path]) -> None:
    before = _already_running()
    engine = TesseractEngine()
    try:
        first = engine.recognize(pages[1])
        [idle] = _tesseract_children(before)
        os.kill(idle, signal.SIGKILL)  # as the kernel's out-of-memory killer would
        while _tesseract_children(before):
            time.sleep(0.01)
        assert engine.recognize(pages[1]) == first
    finally:
        engine.close()
    assert _tesseract_children(before) == []


@pytest.mark.tesseract
def test_a_long_lived_process_does_not_pile_up_messages(pages: list[Path]) -> None:
    before = _already_running()
    engine = TesseractEngine()
    try:
        for _ in range(2):
            engine.recognize(pages[1])
        [process] = _tesseract_children(before)
        assert os.stat(f"/proc/{process}/fd/2").st_size == 0  # tesseract writes a line for every image
    finally:
        engine.close()


@pytest.mark.tesseract
def test_a_page_whose_folder_is_gone_fails_as_an_engine_error(tmp_path: Path) -> None:
    before = _already_running()
    engine = TesseractEngine()
    try:
        with pytest.raises(OcrEngineError, match="cannot write"):
            engine.recognize(tmp_path / "removed" / "page-1.pgm")
    finally:
        engine.close()
    assert _tesseract_children(before) == []
