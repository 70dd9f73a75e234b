"""Peak memory of ingesting a page-bomb PDF: a 4 KB file whose second page is 4000×4000 pt.

    .venv/bin/python benchmarks/page_bomb.py

Writes the PDF (page 1 a letter page, page 2 4000 pt square: 16667×16667 pixels at 300 dpi, 278 Mpx) to a
temporary folder, runs ``noticeflow ingest --json`` on it in a fresh NOTICEFLOW_HOME, and prints the CLI's
answer and the peak resident memory of the largest child process (the CLI or a poppler tool it ran), from
``resource.getrusage(RUSAGE_CHILDREN)``. Every page's size is checked before rendering (pipeline.load), so
the answer is ``image_too_large`` naming page 2 and the peak stays that of a CLI start; before the check,
page 2 was rendered first and the peak was ~1 GB. A script, not a test: the figure depends on the machine.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PAGE_BOMB_PT = 4000


def write_page_bomb(path: Path) -> Path:
    """Two blank image pages at 7.2 ppi: 61×79 px is a 610×790 pt page, 400×400 px a 4000 pt one."""
    ppi = 400 * 72 / PAGE_BOMB_PT
    Image.new("L", (61, 79), 255).save(
        path, save_all=True, append_images=[Image.new("L", (400, 400), 255)], resolution=ppi
    )
    return path


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="noticeflow-bomb-") as scratch:
        bomb = write_page_bomb(Path(scratch) / "page-bomb.pdf")
        env = {**os.environ, "NOTICEFLOW_HOME": str(Path(scratch) / "home")}
        env.pop("NOTICEFLOW_DB_URL", None)
        cli = Path(sys.executable).parent / "noticeflow"
        run = subprocess.run(
            [str(cli), "ingest", "--json", str(bomb)], capture_output=True, text=True, env=env
        )
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
        answer = (
            json.loads(run.stdout.splitlines()[0]) if run.stdout.strip() else {"stderr": run.stderr[-300:]}
        )
        print(f"file: {bomb.stat().st_size:,} bytes, exit {run.returncode}")
        print(f"answer: {answer.get('error', answer)}")
        print(f"peak RSS of the largest child: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
