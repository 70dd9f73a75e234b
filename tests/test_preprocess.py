"""Cleaning on synthetic text pages: upright, upside down, sideways and skewed pages come out upright; a fax
is smoothed before it is scaled up; the dashed rules between a header box's rows are erased (and tesseract
then reads the rows they had hidden), a lone tear-off line and the text's own hyphens are not."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.models import PageImage
from pipeline.ocr import PageReading, ocr_page
from pipeline.preprocess import ascender_ratio, estimate_skew, preprocess_page
from pipeline.tesseract import TesseractEngine

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
TEXT = "Your balance is due by June 10, 2024; pay the full amount to avoid penalty and interest."


@pytest.fixture(scope="module")
def page() -> Image.Image:
    image = Image.new("L", (2550, 3300), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    words = TEXT.split()
    for row in range(40):  # every row different, as on a real page (identical rows make sharp columns)
        line = " ".join(words[row % len(words) :] + words[: row % len(words)])[: 40 + row % 30]
        draw.text((150 + 7 * (row % 5), 150 + row * 70), line, font=font, fill=0)
    return image


def _clean(image: Image.Image) -> PageImage:
    return preprocess_page(PageImage(number=1, dpi=300, pixels=np.asarray(image)))


def test_upright_page_gets_a_clear_verdict_and_nothing_else(page: Image.Image) -> None:
    cleaned = _clean(page)
    assert [step.split(":")[0] for step in cleaned.steps] == ["upright"]
    assert ascender_ratio(cleaned.pixels)[0] < 0.67


def test_upside_down_page_is_turned_before_ocr(page: Image.Image) -> None:
    cleaned = _clean(page.rotate(180))
    assert any(step.startswith("upside_down") for step in cleaned.steps)
    assert np.array_equal(cleaned.pixels, np.asarray(page))


@pytest.mark.parametrize("turn", [90, 270])
def test_sideways_page_comes_out_upright(page: Image.Image, turn: int) -> None:
    cleaned = _clean(page.rotate(turn, expand=True))
    assert cleaned.pixels.shape == (3300, 2550)
    assert np.array_equal(cleaned.pixels, np.asarray(page))


@pytest.mark.parametrize("angle", [-8.0, -1.5, 3.0, 10.0])
def test_skew_is_estimated_within_a_fifth_of_a_degree(page: Image.Image, angle: float) -> None:
    turned = np.asarray(page.rotate(angle, fillcolor=255))
    assert abs(estimate_skew(turned, 12.0) + angle) <= 0.2  # the turn that undoes it


def test_a_page_lit_from_one_side_is_not_taken_for_a_sheet_on_a_table(page: Image.Image) -> None:
    """Otsu's threshold splits such a page along the light's falloff; unwarping its bright part cut off
    the text in the shade."""
    pixels = np.asarray(page).astype(np.float32)
    light = np.linspace(0.6, 0.9, pixels.shape[1], dtype=np.float32)  # darker to the left
    cleaned = preprocess_page(PageImage(number=1, dpi=300, pixels=(pixels * light).astype(np.uint8)))
    assert not any(step.startswith("unwarp_photo") for step in cleaned.steps)
    assert cleaned.pixels.shape == pixels.shape


def test_a_sheet_on_a_darker_table_is_cut_out(page: Image.Image) -> None:
    table = np.full((3700, 2900), 110, np.uint8)
    table[200:3500, 175:2725] = np.asarray(page)
    cleaned = preprocess_page(PageImage(number=1, dpi=300, pixels=table))
    assert cleaned.steps[0] == "unwarp_photo"
    assert abs(cleaned.pixels.shape[1] - 2550) < 20 and abs(cleaned.pixels.shape[0] - 3300) < 20


def _fax_and_original() -> tuple[np.ndarray, np.ndarray]:
    """The same lines of bold text as a 200-dpi fax (thresholded, 5% toner dropout) and as ink at 300 dpi."""
    rng = np.random.default_rng(12)
    pages = []
    for dpi in (200, 300):
        image = Image.new("L", (int(8.5 * dpi), int(3 * dpi)), 255)
        draw, font = ImageDraw.Draw(image), ImageFont.truetype(BOLD_FONT, round(10 * dpi / 72))
        for row in range(6):
            draw.text(
                (dpi // 2, dpi // 4 + row * dpi // 4), f"Phone 800-829-0922 December 31, 202{row}", font=font
            )
        pages.append(np.asarray(image) < 128)
    fax = pages[0] & (rng.random(pages[0].shape) > 0.05)
    return np.where(fax, 0, 255).astype(np.uint8), pages[1]


def test_a_fax_is_smoothed_before_it_is_scaled_up_so_its_strokes_come_out_whole() -> None:
    """Scaled as it was, a fax's staircase edges and dropout holes were scaled too (bold zeros read as 6
    and 8); smoothed first, the thresholded page is closer to the ink that was printed."""
    fax, printed = _fax_and_original()
    cleaned = preprocess_page(PageImage(number=1, dpi=200, pixels=fax))
    assert "upscale:200->300dpi:smoothed" in cleaned.steps
    plain = cv2.resize(fax, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)

    def overlap(pixels: np.ndarray) -> float:
        ink = pixels[: printed.shape[0], : printed.shape[1]] < 128
        return float((ink & printed).sum() / (ink | printed).sum())

    assert overlap(cleaned.pixels) > overlap(plain) + 0.02


SERIF, SERIF_BOLD = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
)
HEADER_ROWS = (
    ("Notice number", "CP16"),
    ("Tax year", "2025"),
    ("Notice date", "Apr. 15, 2026"),
    ("Caller ID", "202684"),
    ("Call us at", "1-800-829-1040"),
)
ROW_PITCH, TEAR_OFF_Y = 82, 1000


@pytest.fixture(scope="module")
def dash_ruled_box() -> np.ndarray:
    """A header box whose rows are ruled by dashed lines, above a tear-off line of dashes."""
    image = Image.new("L", (2550, 1200), 255)
    draw = ImageDraw.Draw(image)
    bold, regular = ImageFont.truetype(SERIF_BOLD, 42), ImageFont.truetype(SERIF, 42)
    draw.rectangle((150, 150, 1250, 150 + ROW_PITCH * len(HEADER_ROWS)), outline=0, width=4)
    for row, (label, value) in enumerate(HEADER_ROWS):
        top = 160 + ROW_PITCH * row
        draw.text((175, top), label, font=bold, fill=0)
        draw.text((1225 - draw.textlength(value, font=regular), top), value, font=regular, fill=0)
        for x in range(155, 1245, 20) if row else ():
            draw.line((x, top - 8, x + 12, top - 8), fill=0, width=2)
    for x in range(150, 2400, 30):
        draw.line((x, TEAR_OFF_Y, x + 15, TEAR_OFF_Y), fill=0, width=2)
    return np.asarray(image)


def test_dashed_rules_between_rows_are_erased_and_the_rest_kept(dash_ruled_box: np.ndarray) -> None:
    cleaned = preprocess_page(PageImage(number=1, dpi=300, pixels=dash_ruled_box))
    assert any(step.startswith("erase_dashed_rules:") for step in cleaned.steps)
    rules = [160 + ROW_PITCH * row - 8 for row in range(1, len(HEADER_ROWS))]
    for rule in rules:
        end_dashes_meet_the_frame = slice(170, 1230)
        assert (cleaned.pixels[rule - 1 : rule + 2, end_dashes_meet_the_frame] < 128).sum() == 0
    assert (cleaned.pixels[TEAR_OFF_Y - 1 : TEAR_OFF_Y + 2] < 128).sum() > 1000  # a lone line rules no row
    text_rows = [
        y for y in range(160, 150 + ROW_PITCH * len(HEADER_ROWS)) if min(abs(y - r) for r in rules) > 4
    ]
    assert np.array_equal(cleaned.pixels[text_rows], dash_ruled_box[text_rows])


def test_dashed_rules_touching_the_row_under_them_are_erased_the_row_kept() -> None:
    """Folio family: a table's first row printed hard under its dashed rule, the digits' tops touching the
    dashes. Left, tesseract read the rule into the row ("“1040 Dec. 31, 2020") and its form was lost."""
    image = Image.new("L", (2550, 900), 255)
    draw, font = ImageDraw.Draw(image), ImageFont.truetype(SERIF, 42)
    digit_top = font.getbbox("1040")[1]
    rows = ("1040    Dec. 31, 2020    3,747.79", "1040    Dec. 31, 2019    8,785.67")
    for row, text in enumerate(rows):
        top = 300 + 70 * row
        draw.text((200, top), text, font=font, fill=0)
        for x in range(190, 1200, 16):
            draw.line((x, top + digit_top - 1, x + 9, top + digit_top - 1), fill=0, width=2)
    pixels = np.asarray(image)
    cleaned = preprocess_page(PageImage(number=1, dpi=300, pixels=pixels))
    assert any(step.startswith("erase_dashed_rules:") for step in cleaned.steps)
    for row in range(len(rows)):
        rule = slice(300 + 70 * row + digit_top - 2, 300 + 70 * row + digit_top + 1)
        left = (cleaned.pixels[rule, 190:1200] < 128).sum()
        assert left < (pixels[rule, 190:1200] < 128).sum() / 2  # but the dashes glyphs touch
        below = slice(rule.stop + 3, rule.stop + 40)
        assert np.array_equal(cleaned.pixels[below], pixels[below])


def test_dash_leaders_that_run_into_their_values_hyphens_are_kept() -> None:
    """A leader's dashes line up with its value's hyphens ("12-31-2023"): erased, they took the hyphens
    with them and the value read as "12 31 2023"."""
    image = Image.new("L", (2550, 800), 255)
    draw, font = ImageDraw.Draw(image), ImageFont.truetype(FONT, 40)
    for row, (label, value) in enumerate(
        (("Tax period ending", "12-31-2023"), ("Date of this notice", "04-28-2025"))
    ):
        top = 150 + 58 * row
        draw.text((1300, top), label, font=font, fill=0)
        leader_start = 1300 + draw.textlength(label, font=font) + 20
        hyphen_y = top + font.getbbox("-")[1] + 2
        for x in range(int(leader_start), 2000, 18):
            draw.line((x, hyphen_y, x + 9, hyphen_y), fill=0, width=3)
        draw.text((2020, top), value, font=font, fill=0)
    assert not any(step.startswith("erase_dashed_rules") for step in _clean(image).steps)


def test_a_minus_sign_ending_a_row_of_dash_leaders_is_kept() -> None:
    """The minus sign set against an amount after "- - - -" leaders lines up with their dashes: erased with
    them, a credit or a decrease read without it would turn positive."""
    image = Image.new("L", (2550, 900), 255)
    draw, font = ImageDraw.Draw(image), ImageFont.truetype(FONT, 46)
    rows = (
        ("Tax you owed", "$5,000.00"),
        ("Payments and credits", "-$800.00"),
        ("Tax decrease", "-$1,200.00"),
    )
    for row, (label, amount) in enumerate(rows):
        top = 300 + 75 * row
        draw.text((300, top), label, font=font, fill=0)
        draw.text((900, top), "- " * 18, font=font, fill=0)
        draw.text((1680, top), amount, font=font, fill=0)
    pixels = np.asarray(image)
    cleaned = preprocess_page(PageImage(number=1, dpi=300, pixels=pixels))
    assert np.array_equal(cleaned.pixels[:, 1670:], pixels[:, 1670:])


def test_dot_leaders_are_erased_and_the_labels_amounts_and_full_stops_kept() -> None:
    """A billing summary set on dot leaders (forme, codex, office, typed): tesseract read the dots as words
    and garbled the labels beside them ("Lnpaid BINOUNt MOM POOF")."""
    image = Image.new("L", (2550, 900), 255)
    draw, font = ImageDraw.Draw(image), ImageFont.truetype(FONT, 40)
    rows = (("Unpaid amount from prior notices", "$20,165.28"), ("Additional interest charges", "$549.25"))
    label_ends = []
    for row, (label, amount) in enumerate(rows):
        top = 200 + 60 * row
        draw.text((200, top), label, font=font, fill=0)
        label_ends.append(int(200 + draw.textlength(label, font=font)) + 2)
        start = label_ends[-1] + 18
        for x in range(int(start), 1580, 18):
            draw.ellipse((x, top + 30, x + 5, top + 35), fill=0)
        draw.text((1600, top), amount, font=font, fill=0)
    sentence = "Pay now. Call us. See page 2... We may levy. It is due."
    draw.text((200, 500), sentence, font=font, fill=0)
    for x in range(200, 200 + 18 * 9, 18):  # a typed leader ending in a colon, its lower dot on the pitch
        # (half of it left read as a mark before the value: "> 12/31/2021")
        draw.ellipse((x, 680, x + 5, 685), fill=0)
    colon = 200 + 18 * 9
    draw.ellipse((colon, 660, colon + 5, 665), fill=0)
    draw.ellipse((colon, 680, colon + 5, 685), fill=0)
    pixels = np.asarray(image)
    cleaned = preprocess_page(PageImage(number=1, dpi=300, pixels=pixels))
    assert any(step.startswith("erase_dot_leaders:") for step in cleaned.steps)
    leaders = cleaned.pixels[225:300, 900:1580]  # right of the longer label, left of the amounts
    assert (leaders < 160).sum() == 0 and (pixels[225:300, 900:1580] < 160).sum() > 500
    assert np.array_equal(cleaned.pixels[:, 1590:], pixels[:, 1590:])  # amounts and their decimal points
    for row, end in enumerate(label_ends):  # the labels, their i's dots and all
        band = slice(190 + 60 * row, 250 + 60 * row)
        assert np.array_equal(cleaned.pixels[band, :end], pixels[band, :end])
    assert np.array_equal(cleaned.pixels[480:560], pixels[480:560])  # full stops and an ellipsis
    assert (cleaned.pixels[650:700, 200 : colon + 8] < 160).sum() == 0  # the leader and its whole colon


def test_a_page_without_dot_leaders_is_left_as_it_is(page: Image.Image) -> None:
    assert not any(step.startswith("erase_dot_leaders") for step in _clean(page).steps)


def test_a_page_without_dashed_rules_is_left_as_it_is(page: Image.Image) -> None:
    assert not any(step.startswith("erase_dashed_rules") for step in _clean(page).steps)


@pytest.mark.tesseract
def test_tesseract_reads_the_rows_of_a_dash_ruled_box_once_its_rules_are_erased(
    dash_ruled_box: np.ndarray, tmp_path: Path
) -> None:
    """Uncleaned, tesseract's layout analysis dropped every row between two dashed rules."""
    engine = TesseractEngine()
    raw = ocr_page(PageImage(number=1, dpi=300, pixels=dash_ruled_box), engine, tmp_path)
    cleaned = ocr_page(preprocess_page(PageImage(number=1, dpi=300, pixels=dash_ruled_box)), engine, tmp_path)

    def words(read: PageReading) -> set[str]:
        return {word.text for line in read.page.lines for word in line.words}

    hidden = {"2025", "Apr.", "15,", "2026", "202684"}  # the rows between two rules
    assert not hidden & words(raw)
    assert hidden | {"CP16", "1-800-829-1040"} <= words(cleaned)


def _grid(padding: int, leading: int = 8) -> np.ndarray:
    """A row of label cells over value cells, their walls ``padding`` pixels from the text and their rules
    ``leading`` pixels above the labels and below the values."""
    image = Image.new("L", (2550, 900), 255)
    draw, font = ImageDraw.Draw(image), ImageFont.truetype(FONT, 36)
    cells = (("Notice number", "CP16"), ("Date of this notice", "February 25, 2026"), ("Tax year", "2023"))
    x, top = 200, 300
    for label, value in cells:
        width = max(draw.textlength(label, font=font), draw.textlength(value, font=font)) + 2 * padding
        draw.text((x + padding, top + leading), label, font=font, fill=0)
        draw.text((x + padding, top + leading + 60), value, font=font, fill=0)
        draw.rectangle((x, top, x + width, top + 2 * leading + 104), outline=0, width=3)
        x += int(width)
    return np.asarray(image)


def _has_step(page: PageImage, name: str) -> bool:
    return any(step.startswith(f"{name}:") for step in page.steps)


def test_cell_walls_hugging_their_text_are_erased_a_padded_box_kept() -> None:
    """Docket family: a grid's walls two pixels from its values read as "[February 25, 2026 [2023" and the
    labels garbled. A box whose text stands well inside (plate: its side keeps the address block beside it
    apart) keeps its walls."""
    tight, padded = _grid(6), _grid(60, leading=60)
    cleaned = preprocess_page(PageImage(number=1, dpi=300, pixels=tight))
    assert _has_step(cleaned, "erase_cell_walls")
    wall_column = (cleaned.pixels[330:400, 199:203] < 128).sum()
    assert wall_column == 0
    kept = preprocess_page(PageImage(number=1, dpi=300, pixels=padded))
    assert not _has_step(kept, "erase_cell_walls") and not _has_step(kept, "erase_row_rules")
    assert (kept.pixels[300:303, 400:800] < 128).sum() > 0.9 * (padded[300:303, 400:800] < 128).sum()


def test_rules_between_rows_hugging_their_text_are_erased_a_rule_apart_kept() -> None:
    """Tally family: once the wall between a label and its value was erased, the rules above and below the
    row, eight pixels from its text, were read as junk joined to it ("Date ~~ +Nov. 15, 2024", "Notice:
    ~~CPS53"). A rule set well apart from the text stays."""
    tight = _grid(6)
    cleaned = preprocess_page(PageImage(number=1, dpi=300, pixels=tight))
    assert _has_step(cleaned, "erase_row_rules")
    assert (cleaned.pixels[300:303, 400:800] < 128).sum() == 0  # the top rule, 8 px above the labels
    labels = (tight[310:350, 206:500] < 128).sum()
    assert (cleaned.pixels[310:350, 206:500] < 128).sum() > 0.9 * labels  # the labels themselves stay
    apart = _grid(6, leading=60)
    kept = preprocess_page(PageImage(number=1, dpi=300, pixels=apart))
    assert not _has_step(kept, "erase_row_rules")


def test_an_underline_print_touches_is_kept() -> None:
    """An underlined amount: its comma and the "$" cross the line and the digits sit on it; erased with the
    line, their edges would go too ("$1.234.56" was read)."""
    image = Image.new("L", (2550, 600), 255)
    draw, font = ImageDraw.Draw(image), ImageFont.truetype(FONT, 40)
    draw.text((300, 250), "Amount due    $1,234.56", font=font, fill=0)
    left, _, right, _ = draw.textbbox((300, 250), "Amount due    $1,234.56", font=font, anchor="la")
    baseline = 250 + font.getmetrics()[0]
    draw.line((left, baseline + 1, right, baseline + 1), fill=0, width=3)
    cleaned = preprocess_page(PageImage(number=1, dpi=300, pixels=np.asarray(image)))
    assert not _has_step(cleaned, "erase_row_rules")
