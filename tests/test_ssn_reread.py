"""A masked SSN OCR garbled is read again from its crop (``pipeline.ssn_reread``): with the real tesseract on
a drawn page, and with a fake engine for what must never be taken."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from extractors.ssn import find_ssn_last4
from pipeline.extract import to_text_lines
from pipeline.layout import group_words_into_lines
from pipeline.models import BBox, OcrDocument, OcrPage, OcrWord, PageImage, PageSource
from pipeline.settings import Settings
from pipeline.ssn_reread import reread_masked_ssns as reread_with
from pipeline.tesseract import TesseractEngine
from tests.drawn import SERIF, draw_page

LABEL = (("Taxpayer", 0.96), ("ID", 0.96), ("number:", 0.95))
CROPS = Path(__file__).parent.parent / "fixtures" / "crops"
SURE = Settings().min_confidence  # what the decision calls a sure reading


def reread_masked_ssns(page: OcrPage, image: PageImage, engine: object, workdir: Path) -> OcrPage:
    return reread_with(page, image, engine, workdir, SURE)  # type: ignore[arg-type]


def _draw(rows: list[tuple[tuple[int, int], str]]) -> tuple[np.ndarray, list[BBox]]:
    page, boxes = draw_page(rows, SERIF, 42, height=1000)
    return page.pixels, boxes


def _label_words(box: BBox) -> list[OcrWord]:
    x, y, width, height = box
    step = width // len(LABEL)
    return [
        OcrWord(text=t, confidence=c, bbox=(x + i * step, y, step - 8, height))
        for i, (t, c) in enumerate(LABEL)
    ]


def _page(words: list[OcrWord]) -> OcrPage:
    return OcrPage(
        number=1, width=2550, height=1000, source=PageSource.OCR, lines=group_words_into_lines(words)
    )  # fmt: skip


def _last4(page: OcrPage) -> set[object]:
    return {candidate.value for candidate in find_ssn_last4(to_text_lines(OcrDocument(pages=(page,))))}


@pytest.mark.tesseract
def test_a_garbled_masked_ssn_under_its_label_is_read_again_by_tesseract(tmp_path: Path) -> None:
    pixels, (label_box, value_box) = _draw(
        [((1400, 300), "Taxpayer ID number:"), ((1430, 360), "***-**-0269")]
    )
    garbled = OcrWord(text="EK_*KK_.6O", confidence=0.41, bbox=value_box)  # what tesseract read in the page
    page = _page([*_label_words(label_box), garbled])
    assert _last4(page) == set()

    reread = reread_masked_ssns(
        page, PageImage(number=1, dpi=300, pixels=pixels), TesseractEngine(), tmp_path
    )

    assert _last4(reread) == {"0269"} and reread.steps[-1] == "reread_ssn:1/1"


@pytest.mark.tesseract
def test_the_line_below_caught_in_the_crop_does_not_hide_the_digits(tmp_path: Path) -> None:
    """A photo's lines sit close: the crop's padding catches the tops of the next row, whose marks must not
    set the baseline (they did, and every digit was erased as standing above it)."""
    pixels, (label_box, value_box, _) = _draw(
        [((200, 300), "Taxpayer ID number:"), ((700, 300), "***-**-3373"), ((760, 336), "Form 1040")]
    )
    garbled = OcrWord(text="#**", confidence=0.0, bbox=value_box)
    page = _page([*_label_words(label_box), garbled])

    reread = reread_masked_ssns(
        page, PageImage(number=1, dpi=300, pixels=pixels), TesseractEngine(), tmp_path
    )

    assert _last4(reread) == {"3373"}


class LineEngine:
    """Answers every line reading with ``words``; counts the readings."""

    name = "line-fake"

    def __init__(self, *words: tuple[str, float]) -> None:
        self.words = [OcrWord(text=text, confidence=c, bbox=(0, 0, 10, 10)) for text, c in words]
        self.lines_read = 0

    def recognize(self, image_path: Path) -> list[OcrWord]:
        raise AssertionError("a page is never read whole again here")

    def recognize_line(self, image_path: Path) -> list[OcrWord]:
        self.lines_read += 1
        return self.words

    def detect_rotation(self, image_path: Path) -> int:
        return 0


def _garbled_page(value: str = "ee #*-3IIS") -> tuple[OcrPage, PageImage]:
    pixels, (label_box, value_box) = _draw([((200, 200), "Taxpayer ID number:"), ((700, 200), "***-**-3115")])
    page = _page([*_label_words(label_box), OcrWord(text=value, confidence=0.5, bbox=value_box)])
    return page, PageImage(number=1, dpi=300, pixels=pixels)


def test_four_digits_read_surely_replace_the_garbled_value(tmp_path: Path) -> None:
    page, image = _garbled_page()
    reread = reread_masked_ssns(page, image, LineEngine(("3115", 0.93)), tmp_path)
    assert _last4(reread) == {"3115"}


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ((("12", 0.95), ("3115", 0.95)), "six digits are not a last four"),
        ((("3115", 0.55),), "read unsurely"),
        ((("31l5", 0.95),), "a letter among the digits"),
    ],
)
def test_anything_but_four_sure_digits_leaves_the_page_as_it_was(
    tmp_path: Path, answer: tuple[tuple[str, float], ...], why: str
) -> None:
    page, image = _garbled_page()
    reread = reread_masked_ssns(page, image, LineEngine(*answer), tmp_path)
    assert reread.lines == page.lines and reread.steps[-1] == "reread_ssn:0/1", why


def test_a_garbled_piece_of_x_height_still_joins_the_value_beside_it(tmp_path: Path) -> None:
    """A fax read "***-**-2691" as "ke" (x-height only) and "*.2691" a little apart: one value."""
    pixels, (label_box, value_box) = _draw([((200, 200), "Taxpayer ID number:"), ((700, 200), "***-**-2691")])
    x, y, width, height = value_box
    right = x + 48 + height
    pieces = [
        OcrWord(text="ke", confidence=0.35, bbox=(x, y + height // 3, 48, height // 2)),
        OcrWord(text="*.2691", confidence=0.0, bbox=(right, y, x + width - right, height)),
    ]
    page = _page([*_label_words(label_box), *pieces])
    reread = reread_masked_ssns(
        page, PageImage(number=1, dpi=300, pixels=pixels), LineEngine(("2691", 0.96)), tmp_path
    )
    assert _last4(reread) == {"2691"}


def test_a_fax_digit_must_read_more_surely(tmp_path: Path) -> None:
    """On a page the cleaning scaled up, 0 is read as 6 at 0.82: that is not sure enough."""
    page, image = _garbled_page()
    fax = image.model_copy(update={"steps": ("upscale:200->300dpi",)})
    assert reread_masked_ssns(page, fax, LineEngine(("3286", 0.82)), tmp_path).lines == page.lines
    assert _last4(reread_masked_ssns(page, fax, LineEngine(("3280", 0.93)), tmp_path)) == {"3280"}


def test_an_ssn_that_reads_or_a_sentence_naming_it_is_not_read_again(tmp_path: Path) -> None:
    engine = LineEngine(("0000", 0.99))
    for value in ("XXX-XX-3115", "nnn-nn-nnnn"):
        page, image = _garbled_page(value)
        assert reread_masked_ssns(page, image, engine, tmp_path) is page
    pixels, (box,) = _draw([((200, 200), "taxpayer identification number. To protect you")])
    sentence = ["taxpayer", "identification", "number.", "To", "protect", "you"]
    page = _page([
        OcrWord(text=text, confidence=0.95, bbox=(box[0] + 150 * i, box[1], 140, box[3]))
        for i, text in enumerate(sentence)
    ])  # fmt: skip
    assert reread_masked_ssns(page, PageImage(number=1, dpi=300, pixels=pixels), engine, tmp_path) is page
    assert engine.lines_read == 0


def test_a_year_in_the_sentence_after_the_label_is_not_read_as_the_last_four(tmp_path: Path) -> None:
    """A stub's "Write your Taxpayer ID number, the tax year (2022) and the form number" had been made
    "XXX-XX-2022", and a notice processed with it."""
    text = "Write your Taxpayer ID number, the tax year (2022) and the form"
    pixels, (box,) = _draw([((100, 200), text)])
    page = _page([
        OcrWord(text=word, confidence=0.96, bbox=(box[0] + 120 * i, box[1], 110, box[3]))
        for i, word in enumerate(text.split())
    ])  # fmt: skip
    engine = LineEngine(("2022", 0.96))
    assert reread_masked_ssns(page, PageImage(number=1, dpi=300, pixels=pixels), engine, tmp_path) is page


@pytest.mark.parametrize(
    "pieces",
    [
        pytest.param(["wre", "#*_", "BQ", "AA"], id="a photo's"),
        pytest.param(["rea", "_", "kk", "_1)3", "50)"], id="a bold mask in five pieces"),
    ],
)
def test_a_garbled_mask_that_starts_like_a_word_is_still_read_again(
    tmp_path: Path, pieces: list[str]
) -> None:
    """A photo's "***-**-5944" read "wre #*_ BQ AA": its first piece looks like a word, not like prose. Every
    piece of the value is read again and replaced: a bold mask came in five ("rea _ kk _1)3 50)")."""
    pixels, (label_box, value_box) = _draw([((200, 200), "Taxpayer ID number:"), ((700, 200), "***-**-5944")])
    x, y, width, height = value_box
    step = width // len(pieces)
    words = [
        OcrWord(text=t, confidence=0.4, bbox=(x + i * step, y, step - 8, height))
        for i, t in enumerate(pieces)
    ]
    page = _page([*_label_words(label_box), *words])
    image = PageImage(number=1, dpi=300, pixels=pixels)
    reread = reread_masked_ssns(page, image, LineEngine(("5944", 0.93)), tmp_path)
    assert _last4(reread) == {"5944"}
    assert not set(words) & set(_words(reread))


def test_the_sentence_after_a_garbled_mask_is_not_read_with_it(tmp_path: Path) -> None:
    """ "Your SSN ***-**-6649 for tax year 2023." read "#*K _*K_ 66 49 for tax ...": the value ends with its
    fourth digit, and the sentence's words stay as they were read."""
    pixels, (label_box, value_box) = _draw([((200, 200), "Taxpayer ID number:"), ((700, 200), "***-**-6649")])
    x, y, width, height = value_box
    pieces = ["#*K", "_*K_", "66", "49"]
    step = width // len(pieces)
    words = [
        OcrWord(text=t, confidence=0.4, bbox=(x + i * step, y, step - 8, height))
        for i, t in enumerate(pieces)
    ]
    sentence = [
        OcrWord(text=t, confidence=0.95, bbox=(x + width + 20 + 90 * i, y, 70, height))
        for i, t in enumerate(("for", "tax"))
    ]
    page = _page([*_label_words(label_box), *words, *sentence])
    image = PageImage(number=1, dpi=300, pixels=pixels)
    reread = reread_masked_ssns(page, image, LineEngine(("6649", 0.93)), tmp_path)
    assert _last4(reread) == {"6649"} and set(sentence) <= set(_words(reread))


def _unsure_page(value: str = "***-**-3115", confidence: float = 0.2) -> tuple[OcrPage, PageImage]:
    """A mask whose marks pulled its word down: a rule reads 3115, but not surely."""
    page, image = _garbled_page(value)
    words = [w.model_copy(update={"confidence": confidence}) if w.text == value else w for w in _words(page)]
    return _page(words), image


def _words(page: OcrPage) -> list[OcrWord]:
    return [word for line in page.lines for word in line.words]


def _sure_last4(page: OcrPage) -> set[object]:
    readings = find_ssn_last4(to_text_lines(OcrDocument(pages=(page,))))
    return {candidate.value for candidate in readings if candidate.confidence >= SURE}


def test_an_unsure_reading_the_crop_reads_the_same_is_confirmed(tmp_path: Path) -> None:
    page, image = _unsure_page()
    assert _last4(page) == {"3115"} and _sure_last4(page) == set()
    reread = reread_masked_ssns(page, image, LineEngine(("3115", 0.93)), tmp_path)
    assert _sure_last4(reread) == {"3115"} and reread.steps[-1] == "reread_ssn:1/1"


def test_an_unsure_reading_the_crop_reads_otherwise_stays_unsure(tmp_path: Path) -> None:
    """A fax's "***-**-9236" for 0236: the crop read "0236". Two readings disagree: a person looks."""
    page, image = _unsure_page("***-**-9236")
    reread = reread_masked_ssns(page, image, LineEngine(("0236", 0.95)), tmp_path)
    assert reread.lines == page.lines and reread.steps[-1] == "reread_ssn:0/1"
    assert _sure_last4(reread) == set()


def test_a_sure_reading_is_not_read_again(tmp_path: Path) -> None:
    page, image = _unsure_page(confidence=0.96)
    engine = LineEngine(("3115", 0.93))
    assert reread_masked_ssns(page, image, engine, tmp_path) is page and engine.lines_read == 0


def test_a_garbled_masked_ein_is_read_again_as_an_ein(tmp_path: Path) -> None:
    """A scan read "**-***1933" as "21933" (its last asterisk taken for a 2): no rule reads it."""
    pixels, (label_box, value_box) = _draw([((200, 200), "Employer ID number"), ((700, 200), "**-***1933")])
    x, y, width, height = label_box
    label = [
        OcrWord(text=text, confidence=0.95, bbox=(x + i * width // 3, y, width // 3 - 8, height))
        for i, text in enumerate(("Employer", "ID", "number"))
    ]
    page = _page([*label, OcrWord(text="21933", confidence=0.62, bbox=value_box)])
    assert _last4(page) == set()
    reread = reread_masked_ssns(
        page, PageImage(number=1, dpi=300, pixels=pixels), LineEngine(("1933", 0.94)), tmp_path
    )
    assert "Employer ID number XX-XXX1933" in [line.text for line in reread.lines]
    assert _sure_last4(reread) == {"1933"}


def _header_grid(value: str) -> tuple[OcrPage, PageImage]:
    """A header's row of labels over a row of values; OCR read the SSN's mask and digits as letters."""
    pixels, boxes = _draw(
        [((200, 200), "Notice date"), ((900, 200), "Social Security number"),
         ((200, 260), "July 3, 2026"), ((900, 260), "***-**-7145")]
    )  # fmt: skip
    texts = (
        ("Notice", "date"),
        ("Social", "Security", "number"),
        ("July", "3,", "2026"),
        tuple(value.split()),
    )
    words = []
    for (x, y, width, height), parts in zip(boxes, texts, strict=True):
        step = width // len(parts)
        words += [
            OcrWord(text=t, confidence=0.5, bbox=(x + i * step, y, step - 8, height))
            for i, t in enumerate(parts)
        ]
    return _page(words), PageImage(number=1, dpi=300, pixels=pixels)


def test_a_mask_read_as_letters_under_its_header_label_is_read_again(tmp_path: Path) -> None:
    """A skewed scan read "***-**-7145" under "Social Security number" as "HR AKT TAB": no digit, no mask
    symbol, but it stands where the value goes."""
    page, image = _header_grid("HR AKT TAB")
    assert _last4(page) == set()
    assert _last4(reread_masked_ssns(page, image, LineEngine(("7145", 0.93)), tmp_path)) == {"7145"}


@pytest.mark.parametrize("answer", ["Form1040", "1040for"])
def test_a_crop_holding_a_words_letters_is_no_last_four(tmp_path: Path, answer: str) -> None:
    page, image = _header_grid("HR AKT TAB")
    reread = reread_masked_ssns(page, image, LineEngine((answer, 0.95)), tmp_path)
    assert reread.lines == page.lines


@pytest.mark.tesseract
def test_half_a_digit_the_value_words_left_out_is_not_read(tmp_path: Path) -> None:
    """A typeset scan's value words began after the "0" of "**-***0137", so the crop cut the "0" in half and
    "1137" was read at 0.94 (the crop, as the page held it, is the fixture; here after an SSN label)."""
    crop = cv2.imread(str(CROPS / "ein-zero-cut-by-its-words.png"), cv2.IMREAD_GRAYSCALE)
    pixels = np.full((400, 1000), 255, np.uint8)
    pixels[100 : 100 + crop.shape[0], 600 : 600 + crop.shape[1]] = crop
    label = _label_words((100, 115, 480, 45))
    page = _page([*label, OcrWord(text="1 37", confidence=0.4, bbox=(615, 115, 71, 45))])
    reread = reread_masked_ssns(
        page, PageImage(number=1, dpi=300, pixels=pixels), TesseractEngine(), tmp_path
    )
    assert _last4(reread) == set()


def test_a_number_read_surely_under_the_label_is_not_taken_for_its_value(tmp_path: Path) -> None:
    """OCR dropped the mask beside "Social Security number"; the year under it, read surely, is no SSN."""
    page, image = _header_grid("2023")
    words = [w.model_copy(update={"confidence": 0.96}) if w.text == "2023" else w for w in _words(page)]
    engine = LineEngine(("2023", 0.96))
    reread = reread_masked_ssns(_page(words), image, engine, tmp_path)
    assert _last4(reread) == set() and engine.lines_read == 0


def test_a_crop_read_unsurely_confirms_nothing(tmp_path: Path) -> None:
    page, image = _unsure_page()
    reread = reread_masked_ssns(page, image, LineEngine(("3115", 0.65)), tmp_path)
    assert _sure_last4(reread) == set() and reread.lines == page.lines


@pytest.mark.parametrize("text", ["Employee ID number:    10002123", "JOHN EINHORN    #*K _*K_ 6649"])
def test_what_only_looks_like_an_ein_label_is_not_read_again(tmp_path: Path, text: str) -> None:
    """A contact's "Employee ID number" is one edit from "Employer ID number"; "EIN" begins "EINHORN"."""
    pixels, (box,) = _draw([((100, 200), text)])
    parts = text.split()
    step = box[2] // len(parts)
    page = _page([
        OcrWord(text=t, confidence=0.5, bbox=(box[0] + i * step, box[1], step - 8, box[3]))
        for i, t in enumerate(parts)
    ])  # fmt: skip
    engine = LineEngine(("6649", 0.95))
    assert reread_masked_ssns(page, PageImage(number=1, dpi=300, pixels=pixels), engine, tmp_path) is page


@pytest.mark.tesseract
def test_a_masked_ssn_ocr_dropped_whole_is_read_beside_its_label(tmp_path: Path) -> None:
    """A clean header's "***-**-3310" left no word at all: the label ends its row with nothing after it."""
    pixels, (label_box, _) = _draw([((200, 300), "Taxpayer ID number:"), ((720, 300), "***-**-3310")])
    page = _page(_label_words(label_box))
    reread = reread_masked_ssns(
        page, PageImage(number=1, dpi=300, pixels=pixels), TesseractEngine(), tmp_path
    )
    assert _last4(reread) == {"3310"}


def test_a_label_whose_value_is_below_it_is_not_read_beside_it(tmp_path: Path) -> None:
    """A letter's header prints the value under "Taxpayer ID number:": nothing lost beside the label."""
    pixels, (label_box, value_box) = _draw([((200, 200), "Taxpayer ID number:"), ((230, 260), "XXX-XX-3115")])
    value = OcrWord(text="XXX-XX-3115", confidence=0.95, bbox=value_box)
    engine = LineEngine(("0000", 0.99))
    page = _page([*_label_words(label_box), value])
    assert reread_masked_ssns(page, PageImage(number=1, dpi=300, pixels=pixels), engine, tmp_path) is page
    assert engine.lines_read == 0


def test_digits_read_surely_after_a_garbled_mask_do_not_stop_the_read(tmp_path: Path) -> None:
    """A press scan's "***-**-2071" read "AK _AK_O7 20": its "20" read surely is part of the value."""
    pixels, (label_box, value_box) = _draw([((200, 200), "Taxpayer ID number:"), ((700, 200), "***-**-2071")])
    x, y, width, height = value_box
    pieces = [("AK", 0.0), ("_AK_O7", 0.0), ("20", 0.87)]
    step = width // len(pieces)
    words = [
        OcrWord(text=t, confidence=c, bbox=(x + i * step, y, step - 8, height))
        for i, (t, c) in enumerate(pieces)
    ]
    page = _page([*_label_words(label_box), *words])
    image = PageImage(number=1, dpi=300, pixels=pixels)
    assert _last4(reread_masked_ssns(page, image, LineEngine(("2071", 0.93)), tmp_path)) == {"2071"}
