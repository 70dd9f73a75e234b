"""The "web" layout family of the synthetic generator (notices in HTML/CSS printed by headless Chromium):
every catalog code renders, the same seed gives the same truth, text layer and files, the plan is the
other families' plan, the truth agrees with Chromium's text layer (every value the truth records is in it,
every value it records as absent is not), and every capture kind writes a readable file of the right type
and page count. One browser for the module (``printer``, tests/conftest.py); no tesseract.

Without Chromium or Playwright the tests are skipped, except under CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys

import pytest

from fixtures.generator.facts import MASKS
from fixtures.generator.family_facts import format_phone
from fixtures.generator.letter_facts import DATE_STYLES, format_date
from fixtures.generator.spec import Spec
from fixtures.generator.web import WebDocument, WebPrinter, compose_web, write_web
from fixtures.generator.web_facts import HEADER_PLACES, HEADERS, PHONE_STYLES
from tests.family_checks import Printed, spellings
from tests.pdf_families import (
    CAPTURE_CASES,
    PdfFamily,
    PdfFamilyTests,
    base_truth_values,
    catalog_and_plan,
    check_written_capture,
    text_layer,
    text_layers_of,
)


@pytest.fixture(scope="module")
def docs(printer: WebPrinter) -> list[WebDocument]:
    """Every catalog code (born-digital, clean) and a seeded 16-notice plan."""
    return [compose_web(spec, printer) for spec in catalog_and_plan("web", 31, 16, 12)]


@pytest.fixture(scope="module")
def text_layers(docs: list[WebDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return text_layers_of(docs, tmp_path_factory.mktemp("web-text"))


_dates = spellings(format_date, DATE_STYLES)
_phones = spellings(format_phone, PHONE_STYLES)


def _printed_values(doc: WebDocument) -> Printed:
    """What the truth says is printed, as it may be printed: a string, or a set one of which is."""
    return base_truth_values(doc, _dates, (*MASKS, "XX-XXX{}"), _phones)


class TestWebFamily(PdfFamilyTests):
    family = PdfFamily(
        name="web",
        engine="browser",
        printed_values=_printed_values,
        dates=_dates,
        planned_multi_page=range(3, 11),
        least_absent=3,
    )


def test_layouts_vary(docs):
    facts = [doc.facts for doc in docs]
    assert {f.header for f in facts} == set(HEADERS) and {f.header_place for f in facts} == set(HEADER_PLACES)
    assert (
        len({f.font for f in facts}) >= 5
        and 9 <= min(f.size_pt for f in facts) < max(f.size_pt for f in facts) <= 12
    )
    assert {f.body_dates for f in facts} == set(DATE_STYLES) and {f.phone_style for f in facts} == set(
        PHONE_STYLES
    )
    assert len({f.total_label for f in facts}) >= 4 and any(f.care_of for f in facts)
    assert {f.base.tin.label for f in facts} >= {"Social Security number", "Employer ID number"}


def test_same_seed_gives_the_same_truth_text_and_pdf(printer, docs, text_layers, tmp_path):
    for doc, text in list(zip(docs, text_layers, strict=True))[-6:]:
        again = compose_web(doc.spec, printer)
        assert again.truth == doc.truth
        assert text_layer(again.pdf, tmp_path / "again.pdf") == text
        assert again.pdf == doc.pdf  # Chromium's dates are set from the notice date
    other = compose_web(Spec(0, 99, docs[0].spec.code, "pdf_text", "clean", family="web"), printer)
    assert other.truth != docs[0].truth


@pytest.mark.parametrize(("code", "pages"), [("CP59", 2), ("CP14", 5), ("CP504", 9)])
def test_pages_asked_for_are_printed_and_none_is_blank(printer, tmp_path, code, pages):
    """Each later page holds explanation sections; a notice that runs over is printed smaller to fit."""
    doc = compose_web(Spec(3, 2, code, "pdf_text", "clean", pages=pages, family="web"), printer)
    assert doc.truth["pages"] == pages
    path = tmp_path / "pages.pdf"
    path.write_bytes(doc.pdf)
    for number in range(1, doc.truth["pages"] + 1):
        page = ["pdftotext", "-f", str(number), "-l", str(number), str(path), "-"]
        text = subprocess.run(page, capture_output=True, text=True, check=True).stdout
        assert len(" ".join(text.split())) > 150 and f"{number} of {doc.truth['pages']}" in text, number


@pytest.mark.parametrize(("kind", "degradation", "suffix", "pages"), CAPTURE_CASES)
def test_each_capture_kind_writes_a_readable_file(printer, tmp_path, kind, degradation, suffix, pages):
    spec = Spec(7, 3, "CP504", kind, degradation, pages=pages, family="web")
    check_written_capture(functools.partial(write_web, printer=printer), spec, tmp_path, suffix)


def test_cli_writes_a_web_corpus(printer, tmp_path):
    """In its own process: Playwright's sync API runs one browser session per thread (the module's)."""
    argv = [
        "--out",
        str(tmp_path),
        "--count",
        "3",
        "--seed",
        "4",
        "--family",
        "web",
        "--kinds",
        "pdf_text,fax",
    ]
    run = subprocess.run([sys.executable, "-m", "fixtures.generator", *argv], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("wrote 3 documents")
    truths = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    assert len(truths) == 3 and {t["family"] for t in truths} == {"web"}
    assert all((tmp_path / t["source"]).stat().st_size > 1000 for t in truths)
