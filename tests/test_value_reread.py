"""A notice date or tax year OCR garbled beside its label is read again from its crop
(``pipeline.value_reread``): with the real tesseract on a drawn page, and with a fake engine for what must
never be taken."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.notice_date import find_notice_dates
from extractors.tax_year import find_tax_years
from pipeline.extract import to_text_lines
from pipeline.models import BBox, OcrDocument, OcrPage, OcrWord, PageImage
from pipeline.settings import Settings
from pipeline.tesseract import TesseractEngine
from pipeline.value_reread import reread_label_values as reread_with
from tests.drawn import SERIF, draw_page
from tests.test_ssn_reread import LineEngine as AnyBoxEngine
from tests.test_ssn_reread import _page

SURE = Settings().min_confidence  # what the decision calls a sure reading


def reread_label_values(page: OcrPage, image: PageImage, engine: object, workdir: Path) -> OcrPage:
    return reread_with(page, image, engine, workdir, SURE)  # type: ignore[arg-type]


class LineEngine(AnyBoxEngine):
    """Answers every line reading with its words side by side along the crop, as tesseract boxes them."""

    def recognize_line(self, image_path: Path) -> list[OcrWord]:
        words = super().recognize_line(image_path)
        return [word.model_copy(update={"bbox": (20 + 160 * i, 20, 150, 37)}) for i, word in enumerate(words)]


def _words(box: BBox, *pieces: tuple[str, float]) -> list[OcrWord]:
    """``pieces`` spread over ``box`` in order, as OCR would box them."""
    x, y, width, height = box
    step = width // len(pieces)
    return [
        OcrWord(text=text, confidence=c, bbox=(x + i * step, y, step - 8, height))
        for i, (text, c) in enumerate(pieces)
    ]


def _sure_dates(page: OcrPage) -> set[object]:
    lines = to_text_lines(OcrDocument(pages=(page,)))
    return {candidate.value for candidate in find_notice_dates(lines) if candidate.confidence >= SURE}


def _sure_years(page: OcrPage) -> set[object]:
    lines = to_text_lines(OcrDocument(pages=(page,)))
    return {candidate.value for candidate in find_tax_years(lines) if candidate.confidence >= SURE}


def _garbled_date_page(*value: tuple[str, float]) -> tuple[OcrPage, PageImage]:
    """A header row "Notice date    June 12, 2023" whose date OCR read as ``value``."""
    image, (label_box, value_box) = draw_page(
        [((200, 200), "Notice date"), ((600, 200), "June 12, 2023")], SERIF, 42, height=1000
    )
    page = _page([*_words(label_box, ("Notice", 0.95), ("date", 0.95)), *_words(value_box, *value)])
    return page, image


@pytest.mark.tesseract
def test_a_date_ocr_split_and_doubled_is_read_again_by_tesseract(tmp_path: Path) -> None:
    """A rotated scan's "June 12, 2023" came out of the page's OCR as "J une 12. 12, 2023"."""
    page, image = _garbled_date_page(("J", 0.43), ("une", 0.9), ("12.", 0.9), ("12,", 0.9), ("2023", 0.9))
    assert _sure_dates(page) == set()

    reread = reread_label_values(page, image, TesseractEngine(), tmp_path)

    assert _sure_dates(reread) == {"2023-06-12"} and reread.steps[-1] == "reread_value:1/1"


@pytest.mark.tesseract
def test_a_tax_period_cut_to_its_first_digit_is_read_as_wide_as_a_date(tmp_path: Path) -> None:
    """A speckled scan kept only "2" of "December 31, 2022" after "Tax period ending": the crop is widened
    to a date's width, short of the next column's words."""
    image, (label_box, value_box, other) = draw_page(
        [((200, 200), "Tax period ending"), ((700, 200), "December 31, 2022"), ((1700, 200), "Page 1 of 2")],
        SERIF,
        42,
        height=1000,
    )
    x, y, _, height = value_box
    cut = OcrWord(text="2", confidence=0.3, bbox=(x, y, height // 2, height))
    label = _words(label_box, ("Tax", 0.95), ("period", 0.95), ("ending", 0.95))
    page = _page([*label, cut, *_words(other, ("Page", 0.95), ("1", 0.95), ("of", 0.95), ("2", 0.95))])
    assert _sure_years(page) == set()

    reread = reread_label_values(page, image, TesseractEngine(), tmp_path)

    assert _sure_years(reread) == {2022}


def test_a_date_read_surely_replaces_the_garbled_one(tmp_path: Path) -> None:
    page, image = _garbled_date_page(("—«2", 0.2))
    engine = LineEngine(("June", 0.93), ("12,", 0.94), ("2023", 0.95))
    assert _sure_dates(reread_label_values(page, image, engine, tmp_path)) == {"2023-06-12"}


def test_an_unsure_first_reading_is_kept_unless_the_crop_reads_the_same_date(tmp_path: Path) -> None:
    page, image = _garbled_date_page(("June", 0.95), ("12,", 0.95), ("2023", 0.0))
    other = reread_label_values(
        page, image, LineEngine(("June", 0.95), ("17,", 0.95), ("2023", 0.95)), tmp_path
    )
    assert other.lines == page.lines and other.steps[-1] == "reread_value:0/1"
    same = reread_label_values(
        page, image, LineEngine(("June", 0.95), ("12,", 0.95), ("2023", 0.95)), tmp_path
    )
    assert _sure_dates(same) == {"2023-06-12"}


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ((("June", 0.95), ("12,", 0.95), ("2023", 0.5)), "read unsurely"),
        ((("Jnne", 0.95), ("1Z", 0.95)), "no date"),
    ],
)
def test_anything_but_a_sure_date_leaves_the_page_as_it_was(
    tmp_path: Path, answer: tuple[tuple[str, float], ...], why: str
) -> None:
    page, image = _garbled_date_page(("—«2", 0.2))
    reread = reread_label_values(page, image, LineEngine(*answer), tmp_path)
    assert reread.lines == page.lines and reread.steps[-1] == "reread_value:0/1", why


def test_a_fax_date_must_read_more_surely(tmp_path: Path) -> None:
    """On a page the cleaning scaled up, OCR takes a 0 for a 6 surely enough for a clean page."""
    page, image = _garbled_date_page(("—«2", 0.2))
    fax = image.model_copy(update={"steps": ("upscale:200->300dpi",)})
    unsure = LineEngine(("June", 0.95), ("12,", 0.82), ("2023", 0.95))
    assert reread_label_values(page, fax, unsure, tmp_path).lines == page.lines
    sure = LineEngine(("June", 0.95), ("12,", 0.93), ("2023", 0.95))
    assert _sure_dates(reread_label_values(page, fax, sure, tmp_path)) == {"2023-06-12"}


def test_a_date_that_reads_or_a_sentence_naming_the_date_is_not_read_again(tmp_path: Path) -> None:
    engine = LineEngine(("January", 0.99), ("1,", 0.99), ("2020", 0.99))
    page, image = _garbled_date_page(("June", 0.95), ("12,", 0.95), ("2023", 0.95))
    assert reread_label_values(page, image, engine, tmp_path) is page
    text = "Pay within 30 days from the date of this notice"
    image, (box,) = draw_page([((100, 200), text)], SERIF, 42, height=1000)
    sentence = _page(_words(box, *((word, 0.95) for word in text.split())))
    assert reread_label_values(sentence, image, engine, tmp_path) is sentence
    assert engine.lines_read == 0
