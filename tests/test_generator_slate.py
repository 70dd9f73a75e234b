"""The "slate" layout family of the synthetic generator (notices laid out in Python as draw lists and drawn
by jsPDF under Node.js): every catalog code draws, the same seed gives the same truth and PDF bytes (in
another process too), the plan is the other families' plan, the truth agrees with jsPDF's text layer read
by ``pdftotext`` (every value the truth records is in it, every value it records as absent is not, no full
SSN), pages asked for are printed with none blank, the stub sits at the foot of the last page, and every
capture kind (all three capture models) writes a readable file, no text is under 8 pt and a notice too long
for its page at 8 pt runs onto a closing page. One module batch (``pdf_families.compose_batch``) composes
what the family tests read (the catalog and plan, the last three again, another seed, the pages asked for,
the capture kinds), a fresh process drawing the last beside it. No tesseract; skipped when node or the
installed jspdf is missing.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import subprocess
from dataclasses import replace

import pytest

from fixtures.generator.family_facts import format_phone
from fixtures.generator.notation import format_date
from fixtures.generator.slate_facts import (
    BUSINESS_MASKS,
    CREDIT_STYLES,
    DATE_STYLES,
    HEADER_PLACES,
    PERSON_MASKS,
    PHONE_STYLES,
    make_slate_facts,
)
from fixtures.generator.slate_family import (
    compose_slate,
    compose_slates,
    draw_slate_pdfs,
    has_jspdf,
    write_slate,
)
from fixtures.generator.slate_layout import MIN_PT, slate_layouts
from fixtures.generator.slate_wording import slate_words
from fixtures.generator.spec import catalog_notice
from tests.family_checks import spellings
from tests.pdf_families import (
    BatchedPdfFamily,
    BatchedPdfFamilyTests,
    CaptureModelTests,
    check_every_period_printed,
    check_no_words_overlap,
    printed_as_tables,
    text_layer,
)

pytestmark = pytest.mark.skipif(
    not has_jspdf(),
    reason="node or jspdf is missing (apt-get install nodejs npm; npm ci --prefix fixtures/generator/slate)",
)
LETTER_WORDS = ("Dear ", "Person to contact", "Employee ID", "Sincerely,", "Enclosures:")


_phones = spellings(format_phone, PHONE_STYLES)
_dates = spellings(format_date, DATE_STYLES)


class TestSlateFamily(CaptureModelTests, BatchedPdfFamilyTests):
    family = BatchedPdfFamily(
        name="slate",
        engine="jsPDF",
        printed_values=printed_as_tables(_dates, PERSON_MASKS + BUSINESS_MASKS, _phones),
        dates=_dates,
        planned_multi_page=range(2, 11),
        compose=compose_slate,
        compose_many=compose_slates,
        write=write_slate,
        pages_asked_for=(("CP14", 2), ("CP504", 4), ("LTR1058", 9)),
        recomposed=3,
        catalog_seed=71,
        plan_seed=15,
    )


def test_layouts_and_faces_vary(docs, tmp_path):
    facts = [doc.facts for doc in docs]
    assert {f.header_place for f in facts if not f.is_letter} == set(HEADER_PLACES)
    assert {f.date_style for f in facts} == set(DATE_STYLES)
    credits = {f.credit_style for f in facts if any(line.cents < 0 for line in f.base.billing)}
    assert credits == set(CREDIT_STYLES)
    assert {f.shaded for f in facts} == {f.mark_top for f in facts} == {True, False}
    fonts = set()
    for doc in docs:  # jsPDF writes only the fonts a page uses, each named by a /BaseFont
        names = b" ".join(re.findall(rb"/BaseFont /([\w+-]+)", doc.pdf)).decode()
        fonts |= set(re.findall(r"(Times|Helvetica|Courier|DejaVu\w+|Liberation\w+)", names))
    assert {"Times", "Helvetica", "Courier"} <= fonts
    assert any(font.startswith(("DejaVu", "Liberation")) for font in fonts)


def _text_sizes(pages: list[dict]) -> list[tuple[str, float]]:
    """The face ("R" or "B") and point size of every run of text in a draw list."""
    sizes = []
    for op in (op for page in pages for op in page["ops"]):
        if op["t"] in ("text", "wrap"):
            sizes.append((op["f"], op["pt"]))
            sizes += [("B", op["pt"])] if op.get("head") else []
        elif op["t"] == "row":
            sizes += [(cell["f"], op["pt"]) for cell in op["cells"]]
    return sizes


def test_no_text_is_under_8_pt(docs):
    """Every catalog code, in both faces: crowded notices run onto another page instead of shrinking."""
    sizes = [size for doc in docs for size in _text_sizes(doc.pages)]
    assert {face for face, _ in sizes} == {"R", "B"}
    assert min(pt for _, pt in sizes) >= MIN_PT == 8
    assert any(pt == MIN_PT for _, pt in sizes)  # the floor is reached, not just never approached
    assert all(doc.truth["pages"] == len(doc.pages) for doc in docs)


def test_a_notice_too_long_for_8_pt_runs_onto_a_closing_page(tmp_path):
    rng = random.Random(5)
    facts = replace(make_slate_facts(catalog_notice("LT11"), rng), size_pt=11)
    words = slate_words(facts, rng)
    crowded = replace(words, lead=(words.lead[0] + " We have not heard from you." * 40, *words.lead[1:]))
    layouts = slate_layouts(facts, crowded, 0, None)
    fonts = {"R": "helvetica", "B": "helvetica"}
    doc = {"date": "2026-01-05T12:00:00Z", "id": "0" * 32, "title": "crowded", "fonts": fonts}
    drawn = draw_slate_pdfs([doc | {"pages": pages} for pages in layouts])
    fits = [(pages, pdf) for pages, pdf in zip(layouts, drawn, strict=True) if isinstance(pdf, bytes)]
    assert facts.base.amount_due is not None and fits, drawn
    pages, pdf = fits[0]
    one_page = [result for one, result in zip(layouts, drawn, strict=True) if len(one) == 1]
    assert len(pages) == 2 and one_page and all(isinstance(result, str) for result in one_page)
    assert min(pt for _, pt in _text_sizes(pages)) >= MIN_PT
    first, closing = (text_layer(pdf, tmp_path / "crowded.pdf", "-f", str(n), "-l", str(n)) for n in (1, 2))
    assert "Page 1 of 2" in first and "We have not heard from you." in first
    assert "Page 2 of 2" in closing and "Sincerely," in closing and "Amount enclosed" in closing


def test_the_producer_is_jspdf_dated_the_notice_date(docs, tmp_path):
    doc = docs[0]
    (tmp_path / "info.pdf").write_bytes(doc.pdf)
    info = subprocess.run(["pdfinfo", str(tmp_path / "info.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"Producer:\s+jsPDF", info)
    created = re.search(r"CreationDate:\s+(.+)", info)
    assert created and str(doc.facts.base.notice_date.year) in created.group(1)


def test_letterhead_and_headline_read_back_whole(docs, text_layers):
    for doc, text in zip(docs, text_layers, strict=True):
        assert "Department of the Treasury" in text and "Internal Revenue Service" in text, doc.spec
        assert doc.facts.base.notice.title in text, doc.spec  # wrapped words read back one space apart


def test_letters_read_as_letters_and_notices_do_not(docs, text_layers):
    letters = 0
    for doc, text in zip(docs, text_layers, strict=True):
        is_letter = doc.spec.code.startswith("LT")
        letters += is_letter
        assert all(word in text for word in LETTER_WORDS) == is_letter, doc.spec
    assert letters >= 12


def test_no_words_overlap(docs, tmp_path):
    check_no_words_overlap(docs[::4], tmp_path / "words.pdf")


def test_multi_period_notices_print_every_period(docs, text_layers):
    check_every_period_printed(docs, text_layers, lambda doc, end: doc.facts.period(end))


def test_a_required_paragraph_past_the_floor_is_refused_and_an_optional_one_left_out():
    def page(opt: bool) -> dict:
        words = {
            "t": "wrap",
            "s": "word " * 600,
            "x": 54,
            "w": 504,
            "f": "R",
            "pt": 11,
            "lead": 1.3,
            "opt": opt,
        }
        return {"floor": 300, "ops": [{"t": "go", "y": 100}, words]}

    fonts = {"R": "helvetica", "B": "helvetica"}
    doc = {"date": "2026-01-05T12:00:00Z", "id": "0" * 32, "title": "floor", "fonts": fonts}
    refused, kept = draw_slate_pdfs([doc | {"pages": [page(False)]}, doc | {"pages": [page(True)]}])
    assert isinstance(refused, str) and "past its floor" in refused
    assert isinstance(kept, bytes) and kept.startswith(b"%PDF")


def test_dates_are_written_in_each_style():
    day = dt.date(2026, 1, 5)
    assert {format_date(day, style) for style in DATE_STYLES} == {
        "January 5, 2026", "01/05/2026", "Jan. 5, 2026", "2026-01-05",
    }  # fmt: skip
