"""The "codex" layout family of the synthetic generator (notices written as LaTeX and compiled by pdfTeX):
every catalog code renders, the same seed gives the same truth and PDF bytes (in another process too), the
plan is the other families' plan, the truth agrees with pdfTeX's text layer read by ``pdftotext`` (every
value the truth records is in it, every value it records as absent is not, no full SSN, no ligature glyphs),
a page count asked for is met with no blank page, the stub sits at the foot of the last page, the drawn fonts
and header places all occur, and every capture kind (all three capture models) writes a readable file of the
right type and page count. No tesseract; skipped when pdflatex is not installed.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from fixtures.generator.codex_facts import (
    BUSINESS_MASKS,
    CREDIT_STYLES,
    DATE_STYLES,
    FONTS,
    HEADER_PLACES,
    LABEL_SETS,
    PERSON_MASKS,
    PHONE_STYLES,
    format_date,
)
from fixtures.generator.codex_family import CodexDocument, compose_codex, has_pdflatex, write_codex
from fixtures.generator.family_facts import format_phone
from tests.family_checks import Printed, spellings
from tests.pdf_families import (
    CaptureModelTests,
    ComposedPdfFamily,
    ComposedPdfFamilyTests,
    catalog_and_plan,
    check_every_period_printed,
    table_truth_values,
    text_layers_of,
)

pytestmark = pytest.mark.skipif(
    not has_pdflatex(),
    reason="pdflatex is not installed (apt-get install texlive-latex-base texlive-latex-recommended "
    "texlive-fonts-recommended): the codex family is compiled by it",
)
LETTER_LABELS = ("Person to Contact:", "Contact ID Number:", "Toll-Free Telephone:", "Hours:")
# the PDF font names each FONTS entry embeds (pdffonts): Computer Modern, and URW's clones of the PostScript
# fonts and Bitstream Charter from texlive-fonts-recommended
FONT_NAMES = {"cm": "CMR", "times": "NimbusRomNo9L", "helvet": "NimbusSanL", "courier": "NimbusMonL",
              "charter": "CharterBT"}  # fmt: skip
LIGATURES = re.compile("[\ufb00-\ufb06]")  # "ﬁ", "ﬂ", "ﬀ", "ﬃ": the text layer must spell the letters


@pytest.fixture(scope="module")
def docs() -> list[CodexDocument]:
    """Every catalog code (born-digital, clean) and a seeded 16-notice plan."""
    return [compose_codex(spec) for spec in catalog_and_plan("codex", 51, 16, 17)]


@pytest.fixture(scope="module")
def text_layers(docs: list[CodexDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return text_layers_of(docs, tmp_path_factory.mktemp("codex-text"))


_phones = spellings(format_phone, PHONE_STYLES)
_dates = spellings(format_date, DATE_STYLES)


def _printed_values(doc: CodexDocument) -> Printed:
    """What the truth says is printed, as it may be printed: a string, or a set one of which is (billing
    and period amounts as the tables print them, period ends in the period style)."""
    values = table_truth_values(doc, _dates, PERSON_MASKS + BUSINESS_MASKS, _phones)
    ends = [dt.date.fromisoformat(period["period_end"]) for period in doc.truth.get("periods", [])]
    return values + [doc.facts.period(end) for end in ends]


class TestCodexFamily(CaptureModelTests, ComposedPdfFamilyTests):
    family = ComposedPdfFamily(
        name="codex",
        engine="pdflatex",
        printed_values=_printed_values,
        dates=_dates,
        planned_multi_page=range(3, 11),
        compose=compose_codex,
        write=write_codex,
        pages_asked_for=(("CP59", 2), ("CP504", 4), ("LTR1058", 6)),
        recomposed=3,
    )


def test_layouts_vary(docs, tmp_path):
    facts = [doc.facts for doc in docs]
    assert {f.font for f in facts} == set(FONTS) and {
        f.header_place for f in facts if not f.is_letter
    } == set(HEADER_PLACES)
    assert {f.label_set for f in facts} == set(LABEL_SETS)
    assert {f.header_dates for f in facts} == set(DATE_STYLES)
    assert {f.credit_style for f in facts if any(line.cents < 0 for line in f.base.billing)} == set(
        CREDIT_STYLES
    )
    assert {f.shaded for f in facts} == {f.dollar_in_tables for f in facts} == {True, False}
    assert any(len(f.name_lines) > 1 for f in facts if f.base.tin.label == "Employer ID number")
    fonts = set()
    for doc in docs:
        (tmp_path / "fonts.pdf").write_bytes(doc.pdf)
        listing = subprocess.run(["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, text=True)
        assert "Type 3" not in listing.stdout, doc.spec  # no bitmap font made by mktexpk
        assert FONT_NAMES[doc.facts.font] in listing.stdout, doc.spec
        fonts.add(doc.facts.font)
    assert fonts == set(FONTS)


def test_the_text_layer_spells_plain_letters(docs, text_layers):
    for doc, text in zip(docs, text_layers, strict=True):
        assert "Department of the Treasury" in text and "Internal Revenue Service" in text, doc.spec
        assert not LIGATURES.search(text), doc.spec
    assert sum("file" in text for text in text_layers) >= 10  # "fi" read back as two letters


def test_letters_print_the_correspondence_header_and_notices_do_not(docs, text_layers):
    letters = 0
    for doc, text in zip(docs, text_layers, strict=True):
        is_letter = doc.spec.code.startswith("LT")
        letters += is_letter
        assert all(label in text for label in LETTER_LABELS) == is_letter, doc.spec
        assert ("Sincerely," in text and "Dear " in text) == is_letter, doc.spec
    assert letters >= 12


def test_multi_period_notices_print_every_period(docs, text_layers):
    check_every_period_printed(docs, text_layers, lambda doc, end: doc.facts.period(end))
