"""The "scroll" layout family of the synthetic generator (notices laid out in Python and drawn by pdf-lib
under Node.js): every catalog code renders, the same seed gives the same truth and PDF bytes (in another
process too), the plan is the other families' plan, the truth agrees with pdf-lib's text layer read by
``pdftotext`` (every value the truth records is in it, every value it records as absent is not, no full
SSN), a page count asked for is met with no blank page, the stub sits at the foot of the last page, no words
overlap, the PDF names pdf-lib and is dated the notice date, and every capture kind writes a readable file of
the right type and page count. No tesseract; skipped when Node.js or pdf-lib is not installed.
"""

from __future__ import annotations

import random
import re
import subprocess

import pytest

from fixtures.generator.corpus import plan
from fixtures.generator.family_facts import format_phone
from fixtures.generator.notation import CREDIT_STYLES, format_date
from fixtures.generator.scroll_facts import (
    BUSINESS_MASKS,
    FACES,
    HEADER_PLACES,
    LETTER_PLACE,
    PERSON_MASKS,
    PHONE_STYLES,
    RULES,
    SIZES_PT,
    TABLE_SPANS,
    make_scroll_facts,
)
from fixtures.generator.scroll_family import compose_scroll, compose_scrolls, has_pdf_lib, write_scroll
from fixtures.generator.scroll_wording import TOPICS, notice_topic
from fixtures.generator.soffice import page_count
from pipeline.catalog import load_catalog
from tests.family_checks import spellings
from tests.pdf_families import (
    BatchedPdfFamily,
    BatchedPdfFamilyTests,
    check_deadline_said_one_way,
    check_every_period_printed,
    check_letters_read_as_letters,
    check_no_words_overlap,
    check_producer_and_notice_date,
    check_treasury_and_year_printed,
    printed_as_tables,
)

pytestmark = pytest.mark.skipif(
    not has_pdf_lib(),
    reason="Node.js or pdf-lib is not installed (apt-get install nodejs npm, then npm ci --prefix "
    "fixtures/generator/scroll): the scroll family is drawn by pdf-lib",
)

TRUETYPE_FACES = {"DejaVu", "Liberation"}  # embedded as subsets by @pdf-lib/fontkit
STANDARD_FACES = {"Helvetica", "Times", "Courier"}  # pdf-lib's standard fonts, not embedded
DATE_STYLES = ("long", "numeric", "abbreviated", "iso")

_phones = spellings(format_phone, PHONE_STYLES)
_dates = spellings(format_date, DATE_STYLES)


class TestScrollFamily(BatchedPdfFamilyTests):
    family = BatchedPdfFamily(
        name="scroll",
        engine="pdf-lib",
        printed_values=printed_as_tables(_dates, PERSON_MASKS + BUSINESS_MASKS, _phones),
        dates=_dates,
        planned_multi_page=range(2, 11),
        compose=compose_scroll,
        compose_many=compose_scrolls,
        write=write_scroll,
        pages_asked_for=(("CP59", 2), ("CP504", 4), ("LTR1058", 6)),
        recomposed=1,
        catalog_seed=71,
        plan_seed=27,
    )


def test_layouts_vary(docs, tmp_path):
    """Over 300 notices' drawn facts (no drawing), every choice is made; over the drawn ones, TrueType faces
    are embedded as subsets and standard ones named."""
    notices = load_catalog().notices
    facts = [make_scroll_facts(notices[i % len(notices)], random.Random(i)) for i in range(300)]
    assert {f.face for f in facts} == set(FACES) and {f.header_place for f in facts} == set(HEADER_PLACES)
    assert {f.rule for f in facts} == set(RULES) and {f.shaded for f in facts} == {True, False}
    assert {f.table_span for f in facts} == set(TABLE_SPANS) and {f.size_pt for f in facts} == set(
        SIZES_PT[:3]
    )
    assert {f.table_dollars for f in facts} == {True, False}
    assert {f.prose_reference for f in facts if f.is_letter} == {True, False}
    assert {f.leaders for f in facts} == {f.stacked for f in facts} == {True, False}
    assert {f.header_dates for f in facts} == set(DATE_STYLES) and len({f.body_dates for f in facts}) == 3
    assert {f.credit_style for f in facts if any(line.cents < 0 for line in f.base.billing)} == set(
        CREDIT_STYLES
    )
    listed = ""
    for doc in docs[::2]:
        (tmp_path / "fonts.pdf").write_bytes(doc.pdf)
        listed += subprocess.run(
            ["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, text=True
        ).stdout
    assert set(re.findall(r"^[A-Z]{6}\+(DejaVu|Liberation)", listed, re.MULTILINE)) == TRUETYPE_FACES
    assert set(re.findall(r"^(Helvetica|Times|Courier)", listed, re.MULTILINE)) == STANDARD_FACES


def test_the_pdf_is_pdf_libs_dated_the_notice_date(docs, tmp_path):
    check_producer_and_notice_date(docs[-4:], tmp_path / "info.pdf", "pdf-lib")


def test_the_header_names_the_treasury_and_the_year_is_printed(docs, text_layers):
    check_treasury_and_year_printed(docs, text_layers)


def test_letters_open_and_close_as_letters_and_notices_do_not(docs, text_layers):
    check_letters_read_as_letters(docs, text_layers, letter_place=LETTER_PLACE)


def test_multi_period_notices_print_every_period(docs, text_layers):
    check_every_period_printed(docs, text_layers, lambda doc, end: doc.facts.period(end))


def test_the_deadline_is_said_one_way(docs, text_layers):
    check_deadline_said_one_way(docs, text_layers, _dates)


def test_no_words_overlap(docs, tmp_path):
    check_no_words_overlap(docs[::4], tmp_path / "words.pdf")


def test_later_pages_carry_the_subjects_sections(docs, text_layers):
    """A notice's later pages open with its subject's first section (one that asks for no money: the first
    not about paying), over four or more subjects."""
    subjects = set()
    for doc, text in zip(docs, text_layers, strict=True):
        if doc.truth["pages"] > 1:
            subject = notice_topic(doc.facts)
            assert TOPICS[subject].sections[0][0] in text, doc.spec
            subjects.add(subject)
    assert len(subjects) >= 4, subjects


def test_a_letter_too_long_at_the_smallest_size_is_laid_out_compact_on_its_page():
    """A photographed LT11 of four periods ran onto a second page even at the smallest size (a photo is one
    page); laid out compact (no headline, no contact sentence), it keeps its one page and its periods."""
    [spec] = [s for s in plan(600, seed=11, family="scroll") if s.index == 370]
    doc = compose_scroll(spec)
    assert spec.code == "LT11" and spec.kind == "photo" and doc.truth["pages"] == page_count(doc.pdf) == 1
    assert len(doc.truth["periods"]) == 4
