"""The "slate" layout family of the synthetic generator (notices laid out in Python as draw lists and drawn
by jsPDF under Node.js): every catalog code draws, the same seed gives the same truth and PDF bytes (in
another process too), the plan is the other families' plan, the truth agrees with jsPDF's text layer read
by ``pdftotext`` (every value the truth records is in it, every value it records as absent is not, no full
SSN), pages asked for are printed with none blank, the stub sits at the foot of the last page, and every
capture kind (all three capture models) writes a readable file. No tesseract; skipped when node or the
installed jspdf is missing.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from decimal import Decimal

import pytest

from fixtures.generator.modern_facts import format_phone
from fixtures.generator.quire_facts import format_date
from fixtures.generator.slate_facts import (
    BUSINESS_MASKS,
    CREDIT_STYLES,
    DATE_STYLES,
    HEADER_PLACES,
    PERSON_MASKS,
    PHONE_STYLES,
)
from fixtures.generator.slate_family import (
    SlateDocument,
    compose_slate,
    draw_slate_pdfs,
    has_jspdf,
    write_slate,
)
from fixtures.generator.spec import Spec
from tests.family_checks import Printed, spellings
from tests.pdf_families import (
    CAPTURE_MODEL_CASES,
    ComposedPdfFamily,
    ComposedPdfFamilyTests,
    base_truth_values,
    catalog_and_plan,
    check_every_period_printed,
    check_no_words_overlap,
    check_written_capture_model,
    text_layers_of,
)

pytestmark = pytest.mark.skipif(
    not has_jspdf(),
    reason="node or jspdf is missing (apt-get install nodejs npm; npm ci --prefix fixtures/generator/slate)",
)
LETTER_WORDS = ("Dear ", "Person to contact", "Employee ID", "Sincerely,", "Enclosures:")


@pytest.fixture(scope="module")
def docs() -> list[SlateDocument]:
    """Every catalog code (born-digital, clean) and a seeded 16-notice plan."""
    return [compose_slate(spec) for spec in catalog_and_plan("slate", 71, 16, 15)]


@pytest.fixture(scope="module")
def text_layers(docs: list[SlateDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return text_layers_of(docs, tmp_path_factory.mktemp("slate-text"))


_phones = spellings(format_phone, PHONE_STYLES)
_dates = spellings(format_date, DATE_STYLES)


def _printed_values(doc: SlateDocument) -> Printed:
    """What the truth says is printed, as slate prints it (credits as the notice's credit style)."""
    values = base_truth_values(
        doc, _dates, PERSON_MASKS + BUSINESS_MASKS, _phones, "billing_lines", "periods"
    )
    amounts = [line["amount"] for line in doc.truth["billing_lines"]]
    amounts += [period["amount"] for period in doc.truth.get("periods", [])]
    return values + [{doc.facts.money(round(Decimal(amount) * 100))} for amount in amounts]


class TestSlateFamily(ComposedPdfFamilyTests):
    family = ComposedPdfFamily(
        name="slate",
        engine="jsPDF",
        printed_values=_printed_values,
        dates=_dates,
        planned_multi_page=range(2, 11),
        compose=compose_slate,
        write=write_slate,
        pages_asked_for=(("CP14", 2), ("CP504", 4), ("LTR1058", 9)),
        recomposed=3,
    )


def test_layouts_and_faces_vary(docs, tmp_path):
    facts = [doc.facts for doc in docs]
    assert {f.header_place for f in facts if not f.is_letter} == set(HEADER_PLACES)
    assert {f.date_style for f in facts} == set(DATE_STYLES)
    credits = {f.credit_style for f in facts if any(line.cents < 0 for line in f.base.billing)}
    assert credits == set(CREDIT_STYLES)
    assert {f.shaded for f in facts} == {f.mark_top for f in facts} == {True, False}
    fonts = set()
    for doc in docs:
        (tmp_path / "fonts.pdf").write_bytes(doc.pdf)
        listing = subprocess.run(["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, text=True)
        fonts |= set(re.findall(r"(Times|Helvetica|Courier|DejaVu\w+|Liberation\w+)", listing.stdout))
    assert {"Times", "Helvetica", "Courier"} <= fonts
    assert any(font.startswith(("DejaVu", "Liberation")) for font in fonts)


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


@pytest.mark.parametrize(("captures", "kind", "degradation", "suffix", "pages"), CAPTURE_MODEL_CASES)
def test_desk_and_intake_captures_write_a_readable_file(tmp_path, captures, kind, degradation, suffix, pages):
    spec = Spec(5, 4, "LT11", kind, degradation, pages=pages, family="slate", captures=captures)
    check_written_capture_model(write_slate, spec, tmp_path, suffix)
