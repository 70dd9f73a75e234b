"""The "gazette" layout family of the synthetic generator (notices written as HTML and CSS and printed by
wkhtmltopdf): every catalog code renders, the same seed gives the same truth and PDF bytes (in another process
too, and alone as in a batch), the plan is the other families' plan, the truth agrees with Qt's text layer
read by ``pdftotext`` (every value the truth records is in it, every value it records as absent is not, no
full SSN), a page count asked for is met with no blank page, the stub sits at the foot of the last page, the
PDF is wkhtmltopdf's and dated the notice date, and every capture kind writes a readable file of the right
type and page count. No tesseract; skipped when wkhtmltopdf is not installed.
"""

from __future__ import annotations

import random
import re
import subprocess

import pytest

from fixtures.generator.family_facts import format_phone
from fixtures.generator.gazette_facts import (
    BUSINESS_MASKS,
    CREDIT_STYLES,
    DATE_STYLES,
    FACES,
    HEADER_PLACES,
    PERSON_MASKS,
    PHONE_STYLES,
    RULES,
    SIZES_PT,
    make_gazette_facts,
)
from fixtures.generator.gazette_family import (
    PACKAGES,
    compose_gazette,
    compose_gazettes,
    has_wkhtmltopdf,
    write_gazette,
)
from fixtures.generator.gazette_wording import PAYING, SECTIONS, SUMMARIES
from fixtures.generator.notation import format_date
from fixtures.generator.soffice import page_count
from fixtures.generator.spec import Spec
from pipeline.catalog import load_catalog
from tests.family_checks import spellings
from tests.pdf_families import (
    BatchedPdfFamily,
    BatchedPdfFamilyTests,
    check_deadline_said_one_way,
    check_every_period_printed,
    check_letters_read_as_letters,
    check_producer_and_notice_date,
    check_treasury_and_year_printed,
    printed_as_tables,
    text_layer,
)

pytestmark = pytest.mark.skipif(
    not has_wkhtmltopdf(), reason=f"wkhtmltopdf is not installed (apt-get install {PACKAGES}): the gazette "
    "family is printed by it",
)  # fmt: skip


_phones = spellings(format_phone, PHONE_STYLES)
_dates = spellings(format_date, DATE_STYLES)


class TestGazetteFamily(BatchedPdfFamilyTests):
    family = BatchedPdfFamily(
        name="gazette",
        engine="wkhtmltopdf",
        printed_values=printed_as_tables(_dates, PERSON_MASKS + BUSINESS_MASKS, _phones),
        dates=_dates,
        planned_multi_page=range(3, 11),
        compose=compose_gazette,
        compose_many=compose_gazettes,
        write=write_gazette,
        pages_asked_for=(("CP59", 2), ("CP504", 4), ("LTR1058", 9), ("CP01A", 9)),
        recomposed=1,
        catalog_seed=73,
        plan_seed=29,
    )


def test_layouts_vary(docs, tmp_path):
    """Over 300 notices' drawn facts (no printing), every choice is made; the printed ones embed both
    DejaVu and Liberation faces."""
    notices = load_catalog().notices
    facts = [make_gazette_facts(notices[i % len(notices)], random.Random(i)) for i in range(300)]
    assert {f.face for f in facts} == set(FACES) and {f.rules for f in facts} == set(RULES)
    assert {f.header_place for f in facts} == {*HEADER_PLACES, "letter"}
    assert {f.header_dates for f in facts} == {f.body_dates for f in facts} == set(DATE_STYLES)
    assert {f.size_pt for f in facts} == set(SIZES_PT) and {f.shaded for f in facts} == {True, False}
    assert {f.phone_style for f in facts} == set(PHONE_STYLES) and {f.table_dollars for f in facts} == {
        True,
        False,
    }
    assert {f.stacked for f in facts} == {f.boxed_due for f in facts} == {f.stub_amounts_left for f in facts}
    assert {f.credit_style for f in facts if any(line.cents < 0 for line in f.base.billing)} == set(
        CREDIT_STYLES
    )
    listed = ""
    for doc in docs[:: len(docs) // 16]:
        (tmp_path / "fonts.pdf").write_bytes(doc.pdf)
        listed += subprocess.run(
            ["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, text=True
        ).stdout
    assert set(re.findall(r"^(DejaVu|Liberation)", listed, re.MULTILINE)) == {"DejaVu", "Liberation"}


def test_the_pdf_is_wkhtmltopdfs_dated_the_notice_date(docs, tmp_path):
    check_producer_and_notice_date(docs[-4:], tmp_path / "info.pdf", "wkhtmltopdf")


def test_the_summary_reads_back_whole(docs, tmp_path):
    """``pdftotext`` without ``-layout`` reads the summary's first sentence as written (QtWebKit's lines keep
    their word spaces; a line break reads as one space)."""
    for doc in docs[::5]:
        (tmp_path / "raw.pdf").write_bytes(doc.pdf)
        raw = subprocess.run(["pdftotext", str(tmp_path / "raw.pdf"), "-"], capture_output=True, text=True)
        assert SUMMARIES[doc.facts.irs.category] in " ".join(raw.stdout.split()), doc.spec


def test_the_header_names_the_treasury_and_the_year_is_printed(docs, text_layers):
    check_treasury_and_year_printed(docs, text_layers)


def test_letters_open_and_close_as_letters_and_notices_do_not(docs, text_layers):
    check_letters_read_as_letters(docs, text_layers, letter_place="letter")
    for doc, text in zip(docs, text_layers, strict=True):
        assert ("Sincerely," in text) == doc.facts.is_letter, doc.spec


def test_multi_period_notices_print_every_period(docs, text_layers):
    check_every_period_printed(docs, text_layers, lambda doc, end: doc.facts.period(end))


def test_the_deadline_is_said_one_way(docs, text_layers):
    check_deadline_said_one_way(docs, text_layers, _dates)


def test_a_notice_that_asks_for_no_money_says_nothing_about_paying(docs, text_layers):
    paying = [SECTIONS[name][0] for name in PAYING]
    for doc, text in zip(docs, text_layers, strict=True):
        if doc.truth["fields"]["amount_due"] is None:
            assert not any(heading in text for heading in paying), doc.spec


def test_a_letter_over_its_page_at_8_pt_runs_page_1_onto_a_second(tmp_path):
    """A one-page Letter 1058 with four periods, its stub and its contact block does not fit at 8 pt: its
    tables and what follows them go to a second page, the stub at its foot, and its truth says two pages; one
    that fits stays on one page."""
    crowded, fitting = compose_gazettes(
        [Spec(i, 11, "LTR1058", "pdf_text", "clean", pages=1, family="gazette") for i in (2, 0)]
    )
    assert crowded.truth["pages"] == page_count(crowded.pdf) == 2 and len(crowded.facts.irs.periods) == 4
    assert fitting.truth["pages"] == page_count(fitting.pdf) == 1
    page_two = text_layer(crowded.pdf, tmp_path / "two.pdf", "-f", "2", "-l", "2")
    assert "Billing summary" in page_two and "Amount enclosed" in page_two and "2 of 2" in page_two
