"""The "vellum" layout family of the synthetic generator (notices written as Typst markup and compiled
in-process by the typst package): every catalog code renders, the same seed gives the same truth and PDF bytes
(in another process too), the plan is the other families' plan, the truth agrees with Typst's text layer read
by ``pdftotext`` (every value the truth records is in it, every value it records as absent is not, no full
SSN; words and their spaces read back whole), a page count asked for is met with no blank page, the stub sits
at the foot of the last page, the PDF is Typst's and dated the notice date, and every capture kind writes a
readable file of the right type and page count. No tesseract; skipped when the typst package is not installed.
"""

from __future__ import annotations

import random
import re
import subprocess

import pytest

from fixtures.generator.family_facts import format_phone
from fixtures.generator.notation import CREDIT_STYLES, DATE_STYLES, format_date
from fixtures.generator.vellum_facts import (
    BUSINESS_MASKS,
    CUT_LINES,
    FACES,
    HEADER_PLACES,
    LETTER_PLACE,
    MARGINS_IN,
    PERSON_MASKS,
    PHONE_STYLES,
    RULES,
    SIZES_PT,
    TABLE_STYLES,
    make_vellum_facts,
)
from fixtures.generator.vellum_family import (
    PACKAGE,
    compose_vellum,
    compose_vellums,
    has_typst,
    write_vellum,
)
from fixtures.generator.vellum_layout import KEPT
from fixtures.generator.vellum_wording import PAYING, SECTIONS, section_names, vellum_words
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
    not has_typst(),
    reason=f"the typst package is not installed (pip install '{PACKAGE}'): the vellum family is compiled by "
    "Typst",
)

_phones = spellings(format_phone, PHONE_STYLES)
_dates = spellings(format_date, DATE_STYLES)


class TestVellumFamily(BatchedPdfFamilyTests):
    family = BatchedPdfFamily(
        name="vellum",
        engine="Typst in-process",
        printed_values=printed_as_tables(_dates, PERSON_MASKS + BUSINESS_MASKS, _phones),
        dates=_dates,
        planned_multi_page=range(3, 11),
        compose=compose_vellum,
        compose_many=compose_vellums,
        write=write_vellum,
        pages_asked_for=(("CP59", 2), ("CP504", 4), ("LTR1058", 9)),
        recomposed=1,
        catalog_seed=73,
        plan_seed=29,
    )


def test_layouts_vary(docs, tmp_path):
    """Over 300 notices' drawn facts (no printing), every choice is made; over the printed ones, the bundled
    and the system's faces are embedded."""
    notices = load_catalog().notices
    facts = [make_vellum_facts(notices[i % len(notices)], random.Random(i)) for i in range(300)]
    assert {f.face for f in facts} == set(FACES) and {f.size_pt for f in facts} == set(SIZES_PT)
    assert {f.margin_in for f in facts} == set(MARGINS_IN)
    assert {f.header_place for f in facts} == {*HEADER_PLACES, LETTER_PLACE}
    assert {f.rule for f in facts} == set(RULES) and {f.table_style for f in facts} == set(TABLE_STYLES)
    assert {f.cut_line for f in facts} == set(CUT_LINES)
    assert (
        {f.stacked for f in facts}
        == {f.shaded for f in facts}
        == {f.table_dollars for f in facts}
        == {
            True,
            False,
        }
    )
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
    embedded = set(re.findall(r"\+(DejaVu|Liberation|Libertinus|NewCM)", listed))
    assert embedded == {"DejaVu", "Liberation", "Libertinus", "NewCM"}, embedded


def test_the_pdf_is_typsts_dated_the_notice_date(docs, tmp_path):
    check_producer_and_notice_date(docs[-4:], tmp_path / "info.pdf", "Typst")


def test_the_header_names_the_treasury_and_the_year_is_printed(docs, text_layers):
    check_treasury_and_year_printed(docs, text_layers)


def test_letters_open_and_close_as_letters_and_notices_do_not(docs, text_layers):
    check_letters_read_as_letters(docs, text_layers, letter_place=LETTER_PLACE)


def test_multi_period_notices_print_every_period(docs, text_layers):
    check_every_period_printed(docs, text_layers, lambda doc, end: doc.facts.period(end))


def test_the_deadline_is_said_one_way(docs, text_layers):
    check_deadline_said_one_way(docs, text_layers, _dates)


def test_later_pages_explain_the_notices_subject(docs, text_layers):
    """A notice with later pages explains the first two sections of its subject (the first on page 1, or on
    a later page when page 1 was crowded), and a notice that asks for no money says nothing about paying."""
    paying = [SECTIONS[name][0] for name in PAYING]
    for doc, text in zip(docs, text_layers, strict=True):
        if doc.truth["fields"]["amount_due"] is None:
            assert not any(heading in text for heading in paying), doc.spec
        if doc.truth["pages"] > 1:
            assert all(SECTIONS[name][0] in text for name in section_names(doc.facts)[:2]), doc.spec


def test_words_and_spaces_read_back_whole(docs, tmp_path):
    """``pdftotext`` without ``-layout`` reads the summary and the deadline sentence as written: the strings
    and the unbreakable boxes Typst sets side by side keep their word spaces (a line break reads as one
    space)."""
    for doc in docs[::4]:
        (tmp_path / "raw.pdf").write_bytes(doc.pdf)
        raw = subprocess.run(["pdftotext", str(tmp_path / "raw.pdf"), "-"], capture_output=True, text=True)
        words = vellum_words(doc.facts, random.Random(0))
        for sentence in (words.summary[-1], words.actions[0]):
            assert KEPT.sub(r"\1", sentence) in " ".join(raw.stdout.split()), doc.spec
