"""The "sheaf" layout family of the synthetic generator (notices written as XHTML and CSS and laid out
in-process by xhtml2pdf): every catalog code renders, the same seed gives the same truth and PDF bytes (in
another process too), the plan is the other families' plan, the truth agrees with xhtml2pdf's text layer read
by ``pdftotext`` (every value the truth records is in it, every value it records as absent is not, no full
SSN), a page count asked for is met with no blank page, the stub sits at the foot of the last page, the PDF
is xhtml2pdf's and dated the notice date, and every capture kind writes a readable file of the right type
and page count. No tesseract; skipped when xhtml2pdf is not installed.
"""

from __future__ import annotations

import random
import re
import subprocess

import pytest

from fixtures.generator.family_facts import format_phone
from fixtures.generator.notation import format_date
from fixtures.generator.sheaf_facts import (
    BUSINESS_MASKS,
    CREDIT_STYLES,
    DATE_STYLES,
    FACES,
    HEADER_PLACES,
    PERSON_MASKS,
    PHONE_STYLES,
    RULES,
    SIZES_PT,
    make_sheaf_facts,
)
from fixtures.generator.sheaf_family import compose_sheaf, compose_sheaves, has_xhtml2pdf, write_sheaf
from fixtures.generator.sheaf_wording import PAYING, SECTIONS, TOPIC_SECTIONS, notice_topic
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
)

pytestmark = pytest.mark.skipif(
    not has_xhtml2pdf(),
    reason="xhtml2pdf is not installed (pip install 'xhtml2pdf>=0.2.28,<0.3'): the sheaf family is laid out "
    "by xhtml2pdf",
)

TRUETYPE_FACES = {"DejaVu", "Liberation"}  # embedded as subsets
BASE_14_FACES = {"Helvetica", "Times", "Courier"}  # ReportLab's own, not embedded

_phones = spellings(format_phone, PHONE_STYLES)
_dates = spellings(format_date, DATE_STYLES)


class TestSheafFamily(BatchedPdfFamilyTests):
    family = BatchedPdfFamily(
        name="sheaf",
        engine="xhtml2pdf",
        printed_values=printed_as_tables(_dates, PERSON_MASKS + BUSINESS_MASKS, _phones),
        dates=_dates,
        planned_multi_page=range(3, 11),
        compose=compose_sheaf,
        compose_many=compose_sheaves,
        write=write_sheaf,
        pages_asked_for=(("CP59", 2), ("CP504", 4), ("LTR1058", 9)),
        recomposed=1,
        catalog_seed=81,
        plan_seed=37,
    )


def test_layouts_vary(docs, tmp_path):
    """Over 300 notices' drawn facts (no printing), every choice is made; over the printed ones, TrueType
    faces are embedded and the standard ones named."""
    notices = load_catalog().notices
    facts = [make_sheaf_facts(notices[i % len(notices)], random.Random(i)) for i in range(300)]
    assert {f.face for f in facts} == set(FACES) and {f.size_pt for f in facts} == set(SIZES_PT)
    assert {f.header_place for f in facts} == {*HEADER_PLACES, "letter"} and {f.rules for f in facts} == set(
        RULES
    )
    assert {f.shaded for f in facts} == {f.stacked_labels for f in facts} == {True, False}
    assert {f.table_dollars for f in facts} == {f.states_window for f in facts} == {True, False}
    assert {f.stub_flipped for f in facts} == {f.prose_refs for f in facts if f.is_letter} == {True, False}
    assert not any(f.prose_refs for f in facts if not f.is_letter)
    assert {f.header_dates for f in facts} == {f.body_dates for f in facts} == set(DATE_STYLES)
    assert {f.credit_style for f in facts if any(line.cents < 0 for line in f.base.billing)} == set(
        CREDIT_STYLES
    )
    listed = ""
    for doc in docs[:: len(docs) // 20]:
        (tmp_path / "fonts.pdf").write_bytes(doc.pdf)
        listed += subprocess.run(
            ["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, text=True
        ).stdout
    assert set(re.findall(r"\+(DejaVu|Liberation)", listed)) == TRUETYPE_FACES
    assert set(re.findall(r"^(Helvetica|Times|Courier)", listed, re.MULTILINE)) == BASE_14_FACES


def test_the_pdf_is_xhtml2pdfs_dated_the_notice_date(docs, tmp_path):
    check_producer_and_notice_date(docs[-4:], tmp_path / "info.pdf", "xhtml2pdf")


def test_the_header_names_the_treasury_and_the_year_is_printed(docs, text_layers):
    check_treasury_and_year_printed(docs, text_layers)


def test_letters_open_and_close_as_letters_and_notices_do_not(docs, text_layers):
    check_letters_read_as_letters(docs, text_layers, letter_place="letter")


def test_multi_period_notices_print_every_period(docs, text_layers):
    check_every_period_printed(docs, text_layers, lambda doc, end: doc.facts.period(end))


def test_the_deadline_is_said_one_way(docs, text_layers):
    check_deadline_said_one_way(docs, text_layers, _dates)


def test_later_pages_explain_the_notices_subject(docs, text_layers):
    """A notice's later pages open with the first section of its subject (a notice that asks for no money:
    the first not about paying), and a notice that asks for none says nothing about paying."""
    paying = [SECTIONS[name][0] for name in PAYING]
    subjects = set()
    for doc, text in zip(docs, text_layers, strict=True):
        owes = doc.truth["fields"]["amount_due"] is not None
        assert owes or not any(heading in text for heading in paying), doc.spec
        if doc.truth["pages"] > 1:
            subject = notice_topic(doc.facts)
            first = next(name for name in TOPIC_SECTIONS[subject] if owes or name not in PAYING)
            assert SECTIONS[first][0] in text, doc.spec
            subjects.add(subject)
    assert len(subjects) >= 4, subjects
