"""The tesseract OCR engine: words from long-lived tesseract processes, orientation from pytesseract.

``TesseractEngine().recognize(image_path) -> list[OcrWord]`` hands the path to a tesseract process that
stays up between pages and reads image paths from its stdin (tesseract's ``stream_filelist``), answering
each with TSV: words, boxes and confidences from one pass. Starting tesseract and loading its model cost
about 0.1 s a page, as much as everything else noticeflow does to a page; a process per worker pays it
once. ``recognize_line`` reads a crop of one line (``--psm 7``: a garbled SSN, a row layout analysis
lost) the same way, from processes of its own: a page may have several crops, and each costs about 17 ms
read so, against 107 ms in a tesseract started for it (a 1050x80 crop on this machine). Each image path is
followed by a blank sentinel image written beside it, whose TSV page line marks the end of the image's
output. A process serves one image at a time; concurrent callers get their own (started on demand, kept
idle in between). A process that fails or times out is killed and replaced, and the image raises
``OcrEngineError``.
``detect_rotation`` (rare: only pages that read badly) runs ``pytesseract``'s orientation check.
``close()`` ends the processes; they also end on their own when this process exits (their stdin closes).

Only this module starts tesseract or imports pytesseract.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import select
import subprocess
import tempfile
import time
import weakref
from pathlib import Path
from typing import IO

import pytesseract

from pipeline.errors import OcrEngineError
from pipeline.models import OcrWord

# One tesseract thread per process: with OpenMP threads on a busy machine tesseract spin-waits (3x slower).
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

SENTINEL_SIDE = 32  # pixels: a blank square tesseract reads in milliseconds
_PAGE, _LINE = "3", "7"  # tesseract's page segmentation modes: a whole page, a single line
_TSV_COLUMNS = 12  # level page_num block_num par_num line_num word_num left top width height conf text
_WORD_LEVEL = "5"


class TesseractEngine:
    name = "tesseract"

    def __init__(self, language: str = "eng", timeout_s: float = 120) -> None:
        self.language = language
        self.timeout_s = timeout_s
        # idle processes by page segmentation mode: whole pages (3), single lines (7)
        self._idle: dict[str, queue.SimpleQueue[_StreamingTesseract]] = {
            _PAGE: queue.SimpleQueue(), _LINE: queue.SimpleQueue()
        }  # fmt: skip
        self._finalizer = weakref.finalize(self, _close_all, self._idle)

    def recognize(self, image_path: Path) -> list[OcrWord]:
        return self._read(image_path, _PAGE)

    def recognize_line(self, image_path: Path) -> list[OcrWord]:
        """The crop at ``image_path`` read as one line of text."""
        return self._read(image_path, _LINE)

    def _read(self, image_path: Path, psm: str) -> list[OcrWord]:
        process = self._checkout(psm)
        try:
            tsv = process.read_page(image_path, self.timeout_s)
        except BaseException:  # a failure, a timeout, an interrupt: its output can no longer be trusted
            process.kill()
            raise
        self._idle[psm].put(process)
        return parse_tsv_words(tsv)

    def _checkout(self, psm: str) -> _StreamingTesseract:
        """An idle process still running (one that died while idle, e.g. killed for memory, is replaced)."""
        while True:
            try:
                process = self._idle[psm].get_nowait()
            except queue.Empty:
                return _StreamingTesseract(self.language, psm)
            if process.running():
                return process
            process.close()

    def detect_rotation(self, image_path: Path) -> int:
        try:
            report = pytesseract.image_to_osd(str(image_path), config="--psm 0", timeout=self.timeout_s)
        except (pytesseract.TesseractError, RuntimeError, OSError):
            return 0  # too little text to tell: keep the page as it is
        match = re.search(r"Rotate:\s*(\d+)", report)
        return int(match.group(1)) if match else 0

    def close(self) -> None:
        self._finalizer()


def parse_tsv_words(tsv: str) -> list[OcrWord]:
    """The words (TSV level 5, confidence ≥ 0, text not blank) of tesseract's TSV output, confidence 0..1."""
    words = []
    for row in tsv.splitlines():
        cells = row.split("\t")
        if len(cells) != _TSV_COLUMNS or cells[0] != _WORD_LEVEL:
            continue
        left, top, width, height = map(int, cells[6:10])
        # Whole percent, truncated, as pytesseract gives it: the recorded OCR of the goldens and every
        # tie between candidates were measured that way.
        confidence, text = int(float(cells[10])), cells[11].strip()
        if text and confidence >= 0:
            words.append(OcrWord(text=text, confidence=confidence / 100, bbox=(left, top, width, height)))
    return words


class _StreamingTesseract:
    """One tesseract process reading image paths from stdin and writing TSV to stdout, page after page."""

    def __init__(self, language: str, psm: str) -> None:
        self._errors: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the process)
        command = ["tesseract", "-", "-", "-l", language, "--psm", psm, "-c", "stream_filelist=true", "tsv"]
        try:
            self._process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors
            )
        except OSError as exc:
            raise OcrEngineError(f"cannot start tesseract: {exc}") from exc
        self._pages_sent = 0
        self._pending = b""

    def read_page(self, image_path: Path, timeout_s: float) -> str:
        """The TSV rows of ``image_path``; raises ``OcrEngineError`` when tesseract stops or times out."""
        assert self._process.stdin is not None
        sentinel = image_path.with_name(f"{image_path.name}.end.pgm")
        try:
            _write_blank_pgm(sentinel, SENTINEL_SIDE)
        except OSError as exc:
            raise OcrEngineError(f"cannot write {sentinel.name}: {exc}") from exc
        try:
            self._process.stdin.write(os.fsencode(image_path) + b"\n" + os.fsencode(sentinel) + b"\n")
            self._process.stdin.flush()
        except OSError as exc:
            raise OcrEngineError(f"tesseract stopped: {self._last_error() or exc}") from exc
        self._pages_sent += 2
        marker = f"\n1\t{self._pages_sent}\t".encode()  # the sentinel's page row
        output = self._read_until(marker, time.monotonic() + timeout_s)
        self._forget_messages()
        # only the image's own rows: read as a line, the last sentinel's blank gave a word ("_") too
        page = str(self._pages_sent - 1)
        rows = output.decode("utf-8", errors="replace").splitlines()
        return "\n".join(row for row in rows if row.split("\t", 2)[1:2] == [page])

    def running(self) -> bool:
        return self._process.poll() is None

    def _forget_messages(self) -> None:
        """Empty the stderr file after a good page: tesseract writes a line or two for every image, and a
        process lives for thousands of pages. (The file's offset is shared with tesseract's stderr.)"""
        self._errors.seek(0)
        self._errors.truncate()

    def _read_until(self, marker: bytes, deadline: float) -> bytes:
        assert self._process.stdout is not None
        stdout = self._process.stdout.fileno()
        while (end := self._complete_end(marker)) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([stdout], [], [], remaining)[0]:
                raise OcrEngineError("tesseract timed out")
            chunk = os.read(stdout, 1 << 16)
            if not chunk:
                self._process.wait()
                raise OcrEngineError(f"tesseract stopped: {self._last_error() or 'no output'}")
            self._pending += chunk
        output, self._pending = self._pending[: end[0]], self._pending[end[1] :]
        return output

    def _complete_end(self, marker: bytes) -> tuple[int, int] | None:
        """(end of the page's rows, end of the sentinel's row) once the sentinel's whole row is in."""
        start = self._pending.find(marker)
        if start < 0:
            return None
        line_end = self._pending.find(b"\n", start + len(marker))
        return None if line_end < 0 else (start + 1, line_end + 1)

    def _last_error(self) -> str:
        self._errors.seek(0)
        lines = self._errors.read().decode("utf-8", errors="replace").strip().splitlines()
        return lines[-1] if lines else ""

    def kill(self) -> None:
        self._process.kill()
        self.close()

    def close(self) -> None:
        if self._process.stdin is not None and not self._process.stdin.closed:
            with contextlib.suppress(OSError):  # already gone
                self._process.stdin.close()
        self._process.wait()
        self._errors.close()
        if self._process.stdout is not None:
            self._process.stdout.close()


def _close_all(idle: dict[str, queue.SimpleQueue[_StreamingTesseract]]) -> None:
    for processes in idle.values():
        while True:
            try:
                processes.get_nowait().close()
            except queue.Empty:
                break


def _write_blank_pgm(path: Path, side: int) -> None:
    header = f"P5\n{side} {side}\n255\n".encode()
    path.write_bytes(header + b"\xff" * (side * side))
