"""The "docket" layout family of the synthetic generator (notices written as Flat ODF and laid out by
LibreOffice Writer): every catalog code renders, the same seed gives the same truth and PDF bytes (in another
process too), the plan is the other families' plan, the truth agrees with Writer's text layer read by
``pdftotext`` (every value the truth records is in it, every value it records as absent is not, no full
SSN), a page count asked for is met with no blank page, the stub sits at the foot of the last page, the PDF
is Writer's and dated the notice date, and every capture kind writes a readable file of the right type and
page count. No tesseract; skipped when LibreOffice (``soffice``) is not installed.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from fixtures.generator.docket_facts import (
    BUSINESS_MASKS,
    CREDIT_STYLES,
    DATE_STYLES,
    FACES,
    HEADER_PLACES,
    PERSON_MASKS,
    PHONE_STYLES,
    RULES,
)
from fixtures.generator.docket_family import (
    compose_docket,
    compose_dockets,
    has_soffice,
    write_docket,
)
from fixtures.generator.family_facts import format_phone
from fixtures.generator.notation import format_date
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
    not has_soffice(),
    reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui): the docket family is "
    "laid out by it",
)


_phones = spellings(format_phone, PHONE_STYLES)
_dates = spellings(format_date, DATE_STYLES)


class TestDocketFamily(BatchedPdfFamilyTests):
    family = BatchedPdfFamily(
        name="docket",
        engine="soffice",
        printed_values=printed_as_tables(_dates, PERSON_MASKS + BUSINESS_MASKS, _phones),
        dates=_dates,
        planned_multi_page=range(3, 11),
        compose=compose_docket,
        compose_many=compose_dockets,
        write=write_docket,
        pages_asked_for=(("CP59", 2), ("CP504", 4), ("LTR1058", 9)),
        recomposed=1,
        catalog_seed=51,
        plan_seed=15,
    )


def test_layouts_vary(docs, tmp_path):
    facts = [doc.facts for doc in docs]
    assert {f.face for f in facts} == set(FACES) and {f.header_place for f in facts} == set(HEADER_PLACES)
    assert {f.rules for f in facts} == set(RULES) and {f.shaded for f in facts} == {True, False}
    assert {f.header_dates for f in facts} == {f.body_dates for f in facts} == set(DATE_STYLES)
    assert {f.size_pt for f in facts} == {9, 9.5, 10, 10.5, 11}
    assert {f.credit_style for f in facts if any(line.cents < 0 for line in f.base.billing)} == set(
        CREDIT_STYLES
    )
    assert any(len(f.name_lines) > 1 for f in facts if f.base.tin.label == "Employer ID number")
    embedded = set()
    for doc in docs[:: len(docs) // 12]:
        (tmp_path / "fonts.pdf").write_bytes(doc.pdf)
        listing = subprocess.run(["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, text=True)
        embedded |= set(re.findall(r"\+(DejaVu|Liberation)", listing.stdout))
    assert embedded == {"DejaVu", "Liberation"}


def test_the_pdf_is_writers_dated_the_notice_date(docs, tmp_path):
    check_producer_and_notice_date(docs[-4:], tmp_path / "info.pdf", "LibreOffice")


def test_the_letterhead_names_the_treasury_and_the_year_is_printed(docs, text_layers):
    check_treasury_and_year_printed(docs, text_layers)


def test_letters_open_and_close_as_letters_and_notices_do_not(docs, text_layers):
    check_letters_read_as_letters(docs, text_layers, letter_place="column")


def test_multi_period_notices_print_every_period(docs, text_layers):
    check_every_period_printed(docs, text_layers, lambda doc, end: doc.facts.period(end))


def test_the_deadline_is_said_one_way(docs, text_layers):
    check_deadline_said_one_way(docs, text_layers, _dates)
