"""Scanned stacks for tests: generated notices (text-layer PDF pages: no OCR) and blank pages in one PDF."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fixtures.generator.corpus import Spec, compose, plan
from fixtures.generator.layout import Page
from fixtures.generator.pdf import pdf_bytes

BLANK = "blank"


def notices(count: int, seed: int, family: str = "irs", pages: tuple[int, int] = (1, 3)) -> list[Spec]:
    """``count`` text-layer notices of ``family``, with page counts spread over ``pages``."""
    return plan(count, seed, kinds=("pdf_text",), pages=pages, family=family)


def write_stack(path: Path, parts: Sequence[Spec | str]) -> list[tuple[int, int, str]]:
    """The notices and blank pages of ``parts`` in order as one PDF at ``path``; each notice's first and
    last page (1-based) and code: the truth a split must find."""
    pages: list[Page] = []
    truth = []
    for part in parts:
        if isinstance(part, str):
            pages.append(Page(()))  # a blank sheet has no text layer: the loader reads it as an image
            continue
        composed = compose(part).pages
        truth.append((len(pages) + 1, len(pages) + len(composed), part.code))
        pages += composed
    path.write_bytes(pdf_bytes(pages))
    return truth
