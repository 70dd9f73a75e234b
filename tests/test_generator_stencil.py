"""The "stencil" layout family of the synthetic generator (notices and letters laid out line by line in Python
and drawn by Apache PDFBox): every catalog code renders, the same seed gives the same truth and PDF bytes (in
another process too), the plan is the other families' plan, the truth agrees with PDFBox's text layer read
by ``pdftotext`` (every value the truth records is in it, every value it records as absent is not, no full
SSN, words apart by real spaces), no two words overlap, a page count asked for is met with no blank page, the
stub sits at the foot of the last page, the PDF is dated the notice date and embeds its TrueType subsets,
and every capture kind writes a readable file of the right type and page count. No tesseract; skipped when
java, javac or the PDFBox jars are missing.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from fixtures.generator.family_facts import format_phone
from fixtures.generator.notation import CREDIT_STYLES, DATE_STYLES, format_date
from fixtures.generator.stencil_facts import (
    BUSINESS_MASKS,
    FACES,
    HEADER_PLACES,
    PERSON_MASKS,
    PHONE_STYLES,
    SIZES_PT,
)
from fixtures.generator.stencil_family import (
    PACKAGES,
    compose_stencil,
    compose_stencils,
    has_pdfbox,
    write_stencil,
)
from fixtures.generator.stencil_wording import PAYING, SECTIONS
from tests.family_checks import spellings
from tests.pdf_families import (
    BatchedPdfFamily,
    BatchedPdfFamilyTests,
    check_deadline_said_one_way,
    check_every_period_printed,
    check_no_words_overlap,
    check_producer_and_notice_date,
    printed_as_tables,
)

pytestmark = pytest.mark.skipif(
    not has_pdfbox(), reason=f"java, javac or PDFBox is missing (apt-get install {PACKAGES})"
)


_phones = spellings(format_phone, PHONE_STYLES)
_dates = spellings(format_date, DATE_STYLES)


class TestStencilFamily(BatchedPdfFamilyTests):
    family = BatchedPdfFamily(
        name="stencil",
        engine="PDFBox",
        printed_values=printed_as_tables(_dates, PERSON_MASKS + BUSINESS_MASKS, _phones),
        dates=_dates,
        planned_multi_page=range(3, 11),
        compose=compose_stencil,
        compose_many=compose_stencils,
        write=write_stencil,
        pages_asked_for=(("CP59", 2), ("CP504", 4), ("LTR1058", 9)),
        recomposed=1,
        catalog_seed=71,
        plan_seed=19,
    )


def test_layouts_vary(docs, tmp_path):
    facts = [doc.facts for doc in docs]
    assert {f.face for f in facts} == set(FACES) and {f.header_place for f in facts} == set(HEADER_PLACES)
    assert {f.header_dates for f in facts} == {f.body_dates for f in facts} == set(DATE_STYLES)
    assert {f.size_pt for f in facts} == set(SIZES_PT) and {f.shaded for f in facts} == {True, False}
    assert {f.credit_style for f in facts if any(line.cents < 0 for line in f.base.billing)} == set(
        CREDIT_STYLES
    )
    embedded = set()
    for doc in docs[:: len(docs) // 12]:
        (tmp_path / "fonts.pdf").write_bytes(doc.pdf)
        listing = subprocess.run(["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, text=True)
        embedded |= set(re.findall(r"[A-Z]{6}\+(DejaVu|Liberation)", listing.stdout))
        assert ("CID TrueType" in listing.stdout) == doc.facts.is_embedded, doc.spec
    assert embedded == {"DejaVu", "Liberation"}


def test_no_words_overlap(docs, tmp_path):
    check_no_words_overlap(docs, tmp_path / "words.pdf")


def test_the_pdf_is_pdfboxs_dated_the_notice_date(docs, tmp_path):
    check_producer_and_notice_date(docs[-4:], tmp_path / "info.pdf", "PDFBox")


def test_words_are_apart_by_real_spaces(docs, tmp_path):
    """``pdftotext`` without ``-layout`` reads the address's street as one line with its spaces."""
    for doc in docs[:8]:
        (tmp_path / "raw.pdf").write_bytes(doc.pdf)
        raw = subprocess.run(["pdftotext", str(tmp_path / "raw.pdf"), "-"], capture_output=True, text=True)
        assert doc.facts.base.taxpayer.street in raw.stdout.splitlines(), doc.spec


def test_letters_read_as_letters_and_notices_do_not(docs, text_layers):
    letters = 0
    for doc, text in zip(docs, text_layers, strict=True):
        is_letter = doc.spec.code.startswith("LT")
        letters += is_letter
        assert ("Dear " in text and "Sincerely," in text and "Enclosures:" in text) == is_letter, doc.spec
        assert ("Person to contact" in text) == is_letter, doc.spec
    assert letters >= 12


def test_multi_period_notices_print_every_period(docs, text_layers):
    check_every_period_printed(docs, text_layers, lambda doc, end: doc.facts.period(end))


def test_the_deadline_is_said_one_way(docs, text_layers):
    check_deadline_said_one_way(docs, text_layers, _dates)


def test_a_notice_that_asks_for_no_money_says_nothing_about_paying(docs, text_layers):
    paying = [SECTIONS[name][0] for name in PAYING]
    for doc, text in zip(docs, text_layers, strict=True):
        if doc.truth["fields"]["amount_due"] is None:
            assert not any(heading in text or heading.upper() in text for heading in paying), doc.spec
