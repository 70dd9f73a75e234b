"""Checks every layout family whose pages come from a PDF made elsewhere must pass (``web``: Chromium,
``print``: ReportLab, ``office``: fpdf2, ``press``: WeasyPrint, ``typeset``: Typst, ``troff``: groff), written
once.

A document here has ``spec``, ``facts`` (with ``base``), ``pdf`` and ``truth``. ``text_layer`` reads a PDF's
text with ``pdftotext``; each ``check_*`` asserts over a family's documents and their text layers: every
truth has the contract's keys, every value the truth records is in the text layer (``printed_values`` says
how it may be printed) and every value it records as absent is not, the stub of a notice with an amount due
sits at the foot of its last page, a capture kind's file is readable, of the right type and page count,
every page asked for is printed, another process draws the same bytes, and the CLI writes a small corpus.

The tests themselves are written once too: a family's test module describes the family in a ``PdfFamily``
(or a ``ComposedPdfFamily``, for a family drawn from a ``Spec`` alone) and subclasses ``PdfFamilyTests`` (or
``ComposedPdfFamilyTests``) as ``Test<Family>Family``; the module's ``docs`` and ``text_layers`` fixtures
(``catalog_and_plan``, ``text_layers_of``) feed both those tests and the family's own layout tests. A family
whose program takes seconds to start, or draws many documents in one run (a ``BatchedPdfFamily``: docket,
tally, slate, stencil, forme, gazette, ream), subclasses ``BatchedPdfFamilyTests`` instead: its module's
``batch`` fixture (``compose_batch``) draws every document those tests read in one call of the family's
``compose_many``, with a fresh process drawing beside it, and its ``docs`` fixture is the batch's ``docs``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any, ClassVar, Generic, TypeVar

import pytest
from pdf2image import pdfinfo_from_path
from PIL import Image

from fixtures.generator import corpus
from fixtures.generator.__main__ import main
from fixtures.generator.capture import write_pdf_document
from fixtures.generator.spec import Spec
from fixtures.generator.stack import STACK_FAMILIES
from pipeline.catalog import load_catalog
from tests.family_checks import (
    FIELDS,
    TOP_LEVEL,
    Printed,
    check_amounts_add_up,
    check_plan,
    missing,
    truth_values,
)

PAGE_HEIGHT_PT = 792  # US letter
CAPTURE_CASES = [  # kind, degradation, the file's suffix, pages asked for: every kind and file type once
    ("pdf_text", "clean", ".pdf", 2),
    ("pdf_scan", "skew", ".pdf", 2),
    ("scan", "rotate90", ".tif", 2),
    ("scan", "noise", ".png", 1),
    ("fax", "fax", ".tif", 3),
    ("photo", "photo", ".jpg", 1),
]
CAPTURE_MODEL_CASES = [  # the desk and intake capture models: captures, kind, degradation, suffix, pages
    ("desk", "pdf_scan", "desk_stamp", ".pdf", 2),
    ("intake", "pdf_scan", "mfp_bitonal", ".pdf", 2),
    ("intake", "fax", "fax_fine", ".tif", 2),
]


@dataclass(frozen=True, kw_only=True)
class PdfFamily:
    """What sets one PDF family apart in the tests every PDF family passes (``PdfFamilyTests``)."""

    name: str
    engine: str  # the program ``corpus.compose`` names when it refuses to draw the family
    printed_values: Callable[[Any], Printed]
    dates: Callable[[dt.date], set[str]]  # the ways the family prints a date
    planned_multi_page: range  # how many of the ``docs`` fixture's planned documents run over a page
    least_absent: int = 2  # how often each value recorded as absent must have been checked
    least_unstated: int = 1  # how often a deadline the notice leaves unstated must have been checked
    stub_below: float = 2 / 3  # the stub's "Amount enclosed" starts below this share of the last page
    # (a footer's height, a reach): the stub's lowest word above the footer ends within the reach of the foot
    stub_reaches: tuple[int, int] | None = None


@dataclass(frozen=True, kw_only=True)
class ComposedPdfFamily(PdfFamily):
    """A PDF family drawn from a ``Spec`` alone (``ComposedPdfFamilyTests``)."""

    compose: Callable[[Spec], Any]  # the family's ``compose_*``
    write: Callable[[Spec, Path], dict]  # the family's ``write_*``
    pages_asked_for: tuple[tuple[str, int], ...]  # a code and the page count asked for, composed and read
    recomposed: int  # how many of the last ``docs`` are composed again
    # a fresh process draws the first document in one of these fonts (embedded TrueType subsets); with none,
    # the last document
    another_process_fonts: tuple[str, ...] = ()


D = TypeVar("D")  # a batched family's composed document (``spec``, ``facts``, ``pdf``, ``truth``, ``rng``)


@dataclass(frozen=True, kw_only=True)
class BatchedPdfFamily(ComposedPdfFamily, Generic[D]):
    """A PDF family drawn from ``Spec``s many at a time, in one start of its program
    (``BatchedPdfFamilyTests``); its ``compose`` draws a document alone (the fresh process's), and
    ``another_process_fonts`` is not read: the fresh process draws the last of ``docs``."""

    compose_many: Callable[[list[Spec]], list[D]]  # the family's ``compose_*s``, one document a spec
    catalog_seed: int  # ``docs``: every catalog code at this seed, then
    plan_seed: int  # a seeded plan of ``BATCH_PLANNED`` notices


def catalog_and_plan(family: str, seed: int, planned: int, plan_seed: int) -> list[Spec]:
    """Every catalog code (born-digital, clean) and a seeded plan of ``planned`` notices (its kinds: photos
    fit a page): what a family's ``docs`` fixture composes."""
    specs = [
        Spec(i, seed, notice.code, "pdf_text", "clean", family=family)
        for i, notice in enumerate(load_catalog().notices)
    ]
    return specs + corpus.plan(planned, seed=plan_seed, family=family)


def text_layers_of(docs: Iterable, folder: Path) -> list[str]:
    """Each document's text layer (``text_layer``), its PDF written in ``folder``."""
    return [text_layer(doc.pdf, folder / f"{i}.pdf") for i, doc in enumerate(docs)]


def text_layer(pdf: bytes, path: Path, *pages: str) -> str:
    """The PDF's text (``pages``: pdftotext's ``-f N -l N``), one space between words."""
    path.write_bytes(pdf)
    run = subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(run.stdout.split())


def base_truth_values(doc, dates: Callable, masks: Iterable[str], phones: Callable, *apart: str) -> Printed:
    """``truth_values`` of a PDF family's document, over its facts' ``base``: the TIN as one of ``masks``
    writes it, the IRS phone as ``phones`` spells it; the truth's lists named in ``apart`` (``billing_lines``,
    ``periods``) left out, for the family to add as it prints them."""
    fields = doc.truth["fields"]
    tins = {mask.format(fields["ssn_last4"]) for mask in masks}
    bare = doc.truth | {name: [] for name in apart}
    return truth_values(
        SimpleNamespace(truth=bare, facts=doc.facts.base), dates, tins, phones(fields["irs_phone"])
    )


def printed_as_tables(dates: Callable, masks: Iterable[str], phones: Callable) -> Callable[[Any], Printed]:
    """A family's ``printed_values``: ``table_truth_values`` with its date, mask and phone spellings."""
    masks = tuple(masks)
    return lambda doc: table_truth_values(doc, dates, masks, phones)


def table_truth_values(doc, dates: Callable, masks: Iterable[str], phones: Callable) -> Printed:
    """``base_truth_values`` with the billing and period amounts as the family's tables print them
    (``facts.money(cents, table=True)``)."""
    values = base_truth_values(doc, dates, masks, phones, "billing_lines", "periods")
    amounts = [line["amount"] for line in doc.truth["billing_lines"]]
    amounts += [period["amount"] for period in doc.truth.get("periods", [])]
    return values + [{doc.facts.money(round(Decimal(amount) * 100), table=True)} for amount in amounts]


def check_truth_contract(docs: Iterable, family: str) -> None:
    docs = list(docs)
    assert {doc.spec.code for doc in docs} >= {notice.code for notice in load_catalog().notices}
    for doc in docs:
        truth = doc.truth
        assert set(truth) - {"periods"} == TOP_LEVEL and set(truth["fields"]) == FIELDS, doc.spec
        assert truth["family"] == family and truth["fields"]["notice_number"] == doc.spec.code
        assert doc.pdf.startswith(b"%PDF") and truth["pages"] >= 1
        assert doc.spec.kind != "photo" or truth["pages"] == 1, doc.spec
    assert any(doc.truth["pages"] > 1 for doc in docs) and any("periods" in doc.truth for doc in docs)


def check_truth_in_text(docs: Iterable, texts: Iterable[str], printed_values: Callable[..., Printed]) -> None:
    """Every value the truth records, every word of the name, the last page's footer; nothing unfilled."""
    for doc, text in zip(docs, texts, strict=True):
        assert missing(printed_values(doc), text) == [], doc.spec
        name_words = set(doc.truth["fields"]["taxpayer_name"].replace("&", " ").split()) - {"AND"}
        assert name_words <= set(text.replace("&", " ").split()), doc.spec
        pages = doc.truth["pages"]
        assert f"{pages} of {pages}" in text, doc.spec
        assert "None" not in text and "{" not in text, doc.spec


def check_every_period_printed(
    docs: Iterable, texts: Iterable[str], period_text: Callable[[Any, dt.date], str]
) -> None:
    """Each period of a multi-period notice is printed: its end (``period_text(doc, end)``) and its amount as
    a table prints it, four or more periods over the documents."""
    checked = 0
    for doc, text in zip(docs, texts, strict=True):
        for period in doc.truth.get("periods", []):
            assert period_text(doc, dt.date.fromisoformat(period["period_end"])) in text, doc.spec
            assert doc.facts.money(round(Decimal(period["amount"]) * 100), table=True) in text, doc.spec
            checked += 1
    assert checked >= 4


def check_deadline_said_one_way(docs: Iterable, texts: Iterable[str], dates: Callable) -> None:
    """A printed deadline is a date (``dates``: the family's spellings of one); a computed one, when stated,
    its days from the notice's date; ten or more of each."""
    said = {"printed": 0, "computed": 0}
    for doc, text in zip(docs, texts, strict=True):
        fields = doc.truth["fields"]
        if fields["deadline_kind"] == "printed":
            day = dt.date.fromisoformat(fields["deadline"])
            assert any(f"by {spelled}" in text for spelled in dates(day)), doc.spec
        if fields["deadline_kind"] == "computed":
            days = (dt.date.fromisoformat(fields["deadline"]) - doc.facts.base.notice_date).days
            assert f"within {days} days from the date of this" in text, doc.spec
        said[fields["deadline_kind"] or "printed"] += fields["deadline_kind"] is not None
    assert min(said.values()) >= 10, said


def check_treasury_and_year_printed(docs: Iterable, texts: Iterable[str]) -> None:
    """The letterhead names the Treasury and the IRS; the notice prints its period's end (``facts.period``)
    when it shows one, else its tax year."""
    for doc, text in zip(docs, texts, strict=True):
        assert "Department of the Treasury" in text and "Internal Revenue Service" in text, doc.spec
        base = doc.facts.base
        year = doc.facts.period(base.period_end) if base.show_period else str(base.tax_year)
        assert year in text, doc.spec


def check_letters_read_as_letters(docs: Iterable, texts: Iterable[str], letter_place: str) -> None:
    """A letter (LT, LTR codes) opens with "Dear", names a person to contact and lists its enclosures, and
    its header sits at ``letter_place``; a notice does none of it; twelve or more letters."""
    letters = 0
    for doc, text in zip(docs, texts, strict=True):
        is_letter = doc.spec.code.startswith("LT")
        letters += is_letter
        reads_as_letter = "Dear " in text and "Person to contact" in text and "Enclosures:" in text
        assert reads_as_letter == is_letter, doc.spec
        assert is_letter <= (doc.facts.header_place == letter_place), doc.spec
    assert letters >= 12


def check_producer_and_notice_date(docs: Iterable, path: Path, producer: str) -> None:
    """Each PDF names ``producer`` (``pdfinfo``), is US letter and is created on the notice date, at
    midnight."""
    for doc in docs:
        path.write_bytes(doc.pdf)
        info = subprocess.run(["pdfinfo", "-isodates", str(path)], capture_output=True, text=True).stdout
        assert producer in info and "letter" in info, doc.spec
        day = doc.facts.base.notice_date
        assert re.search(rf"CreationDate:\s+{day.isoformat()}T00:00:00", info), doc.spec


def check_absent_not_printed(docs: Iterable, texts: Iterable[str], dates_of: Callable) -> dict[str, int]:
    """A caller ID, form or amount the truth records as None is not printed; a computed deadline is said
    as a window from the notice date, never as a date; a deadline the truth leaves unstated is said neither
    way. Returns how often each case was checked."""
    absent = {"caller_id": 0, "form": 0, "amount_due": 0, "computed deadline": 0, "unstated deadline": 0}
    for doc, text in zip(docs, texts, strict=True):
        fields, base = doc.truth["fields"], doc.facts.base
        if fields["caller_id"] is None and base.caller_id:
            absent["caller_id"] += 1
            assert base.caller_id not in text and "Caller ID" not in text, doc.spec
        if fields["form"] is None:
            absent["form"] += 1
            assert f"Form {base.form}" not in text and "Tax form" not in text, doc.spec
        if fields["amount_due"] is None:
            absent["amount_due"] += 1
            assert "Amount enclosed" not in text and "$" not in text, doc.spec
        if fields["deadline_kind"] == "computed":
            absent["computed deadline"] += 1
            assert not any(day in text for day in dates_of(dt.date.fromisoformat(fields["deadline"]))), (
                doc.spec
            )
            assert "days from the date of this" in text, doc.spec
        if base.deadline is not None and fields["deadline"] is None:
            absent["unstated deadline"] += 1
            assert "days from the date of this" not in text, doc.spec
            assert not any(day in text for day in dates_of(base.deadline)), doc.spec
    return absent


def amount_enclosed_top(pdf: bytes, page: int, path: Path) -> tuple[float | None, str]:
    """Where the stub's "Amount enclosed" starts on ``page`` (points from the top), and the page's words
    with their boxes (pdftotext ``-bbox``)."""
    path.write_bytes(pdf)
    words = ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"]
    html = subprocess.run(words, capture_output=True, text=True, check=True).stdout
    found = re.search(r'>Amount</word>\s*<word[^>]*yMin="([\d.]+)"[^>]*>enclosed<', html)
    return (float(found.group(1)) if found else None), html


def check_no_words_overlap(docs: Iterable, path: Path) -> None:
    """Read back from each document's text layer (``pdftotext -bbox``), no word's box runs into another's on
    any page."""
    for doc in docs:
        for page in words_of(doc.pdf, path).split("<page ")[1:]:
            assert _overlapping(page) == [], doc.spec


def words_of(pdf: bytes, path: Path) -> str:
    """Every page's words with their boxes (``pdftotext -bbox``, its HTML)."""
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True).stdout


def _overlapping(page: str) -> list[tuple[str, str]]:
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    boxes = sorted(
        (float(y0), float(y1), float(x0), float(x1), w) for x0, y0, x1, y1, w in re.findall(pattern, page)
    )
    found = []
    for i, (_top, bottom, left, right, word) in enumerate(boxes):
        for other in boxes[i + 1 :]:
            if other[0] >= bottom - 1:
                break
            if other[2] < right - 1 and left < other[3] - 1:
                found.append((word, other[4]))
    return found


def check_capture_file(folder: Path, truth: dict, name: str, kind: str, suffix: str) -> None:
    """The file a capture kind wrote: its type, its page count, its truth file; a PDF has fonts only when
    born digital, an image is greyscale (fax: bilevel, photo: colour) and large enough to read."""
    path = folder / truth["source"]
    assert path.suffix == suffix and truth["kind"] == kind
    assert json.loads((folder / f"{name}.truth.json").read_text()) == truth
    if suffix == ".pdf":
        assert int(pdfinfo_from_path(str(path))["Pages"]) == truth["pages"]
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        assert ("Type" in fonts or "CID" in fonts) == (kind == "pdf_text")  # text layer or images only
        return
    with Image.open(path) as image:
        assert getattr(image, "n_frames", 1) == truth["pages"]
        expected = {"fax": "1", "photo": "RGB"}.get(kind, "L")
        assert image.mode == expected and min(image.size) > 1500


def check_written_capture(write: Callable[[Spec, Path], dict], spec: Spec, folder: Path, suffix: str) -> None:
    """``write`` (a family's ``write_*``) writes ``spec`` (with ``pages`` asked for) as a readable file."""
    truth = write(spec, folder)
    assert truth["pages"] == spec.pages
    check_capture_file(folder, truth, spec.name, spec.kind, suffix)


def check_written_capture_model(
    write: Callable[[Spec, Path], dict], spec: Spec, folder: Path, suffix: str
) -> None:
    """``write`` writes ``spec`` in its capture model (``spec.captures``) as a readable file, and its truth
    names the model."""
    check_written_capture(write, spec, folder, suffix)
    assert json.loads((folder / f"{spec.name}.truth.json").read_text())["captures"] == spec.captures


def check_pages_asked_for(pdf: bytes, pages: int, path: Path) -> None:
    """Every page asked for is printed, none blank, each with its "k of N"."""
    for number in range(1, pages + 1):
        text = text_layer(pdf, path, "-f", str(number), "-l", str(number))
        assert len(text) > 150 and f"{number} of {pages}" in text, number


def check_same_bytes_in_another_process(compose: Callable[[Spec], object], spec: Spec) -> None:
    """``compose`` (a family's ``compose_*``) draws the same PDF in a fresh process: embedded TrueType
    subsets and object ids do not depend on what the process drew before."""
    drawn = compose_in_another_process(compose, spec)
    check_drawn_in_another_process(drawn, compose(spec).pdf)  # type: ignore[attr-defined]


def compose_in_another_process(compose: Callable[[Spec], object], spec: Spec) -> subprocess.Popen[bytes]:
    """A fresh process drawing ``spec`` with ``compose`` (a family's ``compose_*``), its PDF on stdout:
    started, not awaited, so that this one may draw meanwhile."""
    code = (
        f"import sys; from {compose.__module__} import {compose.__name__}; "
        "from fixtures.generator.spec import Spec; "
        f"sys.stdout.buffer.write({compose.__name__}(Spec({spec.index}, {spec.seed}, {spec.code!r}, "
        f"{spec.kind!r}, {spec.degradation!r}, family={spec.family!r})).pdf)"
    )
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def check_drawn_in_another_process(drawn: subprocess.Popen[bytes], pdf: bytes) -> None:
    """The fresh process (``compose_in_another_process``) drew ``pdf``, byte for byte."""
    out, err = drawn.communicate(timeout=600)
    assert drawn.returncode == 0, err.decode(errors="replace")[-2000:]
    assert out == pdf


CLI_COUNT, CLI_SEED, CLI_KINDS = 4, 2, ("pdf_text", "fax")  # the CLI's corpus: born digital or faxed


def cli_corpus_argv(folder: Path, family: str) -> list[str]:
    """The CLI's arguments for its corpus of ``family`` in ``folder``."""
    return ["--out", str(folder), "--family", family, "--count", str(CLI_COUNT), "--seed", str(CLI_SEED),
            "--kinds", ",".join(CLI_KINDS)]  # fmt: skip


def check_cli_corpus(folder: Path, family: str) -> None:
    """``python -m fixtures.generator`` writes its corpus of ``family``, each document with its truth."""
    assert main(cli_corpus_argv(folder, family)) == 0
    check_cli_corpus_written(folder, family)


def check_cli_corpus_written(folder: Path, family: str) -> None:
    """``folder`` holds the CLI's corpus of ``family``: each document with its truth."""
    truths = [json.loads(line) for line in (folder / "truth.jsonl").read_text().splitlines()]
    assert len(truths) == CLI_COUNT and {t["family"] for t in truths} == {family}
    for truth in truths:
        path = folder / truth["source"]
        assert path.stat().st_size > 1000
        assert json.loads(path.with_suffix(".truth.json").read_text()) == truth


BATCH_PLANNED = 16  # the planned notices of a batched family's ``docs``
BATCH_CAPTURES = [  # every capture kind and file type (``CAPTURE_CASES``) and a desk capture: (kind,
    # degradation, the file's suffix, pages asked for, the capture model)
    *((kind, degradation, suffix, pages, "default") for kind, degradation, suffix, pages in CAPTURE_CASES),
    ("pdf_scan", "desk_stamp", ".pdf", 2, "desk"),
]


@dataclass(frozen=True, kw_only=True)
class Batch(Generic[D]):
    """What a batched family's tests read (``compose_batch``): drawn in one call of its ``compose_many``,
    and the fresh process started beside it."""

    docs: list[D]  # every catalog code (born-digital, clean) and a seeded plan
    again: list[D]  # the last ``recomposed`` of ``docs`` composed again
    other: D  # the first's code at another seed
    asked: list[D]  # ``pages_asked_for``
    captures: list[D]  # ``BATCH_CAPTURES``, CP504 each
    fresh: subprocess.Popen[bytes]  # a fresh process drawing the last of ``docs`` alone


def batched_family_of(module: ModuleType) -> BatchedPdfFamily[Any]:
    """The family a test module's ``BatchedPdfFamilyTests`` subclass names (the conftest's ``batch``)."""
    [tests] = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, BatchedPdfFamilyTests)
        and value is not BatchedPdfFamilyTests
    ]
    return tests.family


def compose_batch(family: BatchedPdfFamily[D]) -> Batch[D]:
    """Every document ``BatchedPdfFamilyTests`` and the family's module read, in one ``compose_many``; the
    fresh process starts first, to draw on the other core meanwhile."""
    specs = _batch_specs(family)
    fresh = compose_in_another_process(family.compose, specs["docs"][-1])
    composed = iter(family.compose_many([spec for group in specs.values() for spec in group]))
    drawn = {name: [next(composed) for _spec in group] for name, group in specs.items()}
    return Batch(
        docs=drawn["docs"], again=drawn["again"], other=drawn["other"][0], asked=drawn["asked"],
        captures=drawn["captures"], fresh=fresh,
    )  # fmt: skip


def _batch_specs(family: BatchedPdfFamily) -> dict[str, list[Spec]]:
    """The specs of each of ``Batch``'s lists (``other``: one)."""
    name = family.name
    docs = catalog_and_plan(name, family.catalog_seed, BATCH_PLANNED, family.plan_seed)
    return {
        "docs": docs,
        "again": docs[-family.recomposed :],
        "other": [Spec(0, 99, docs[0].code, "pdf_text", "clean", family=name)],
        "asked": [
            Spec(3, 2, code, "pdf_text", "clean", pages=pages, family=name)
            for code, pages in family.pages_asked_for
        ],
        "captures": [
            Spec(7 + i, 3, "CP504", kind, degradation, pages=pages, family=name, captures=model)
            for i, (kind, degradation, _suffix, pages, model) in enumerate(BATCH_CAPTURES)
        ],
    }


def check_composed_again(docs: list, texts: list[str], again: Iterable, other: Any, path: Path) -> None:
    """``again`` (the last of ``docs`` composed again) have their truth, PDF and text layer; ``other`` (the
    first's code at another seed) has neither the first's truth nor its PDF."""
    again = list(again)
    for doc, text, twin in zip(docs[-len(again) :], texts[-len(again) :], again, strict=True):
        assert twin.spec == doc.spec and twin.truth == doc.truth and twin.pdf == doc.pdf, doc.spec
        assert text_layer(twin.pdf, path) == text, doc.spec
    first = docs[0]
    assert other.spec.code == first.spec.code and other.spec.seed != first.spec.seed
    assert other.truth != first.truth and other.pdf != first.pdf


class PdfFamilyTests:
    """The tests every PDF family passes, over the module's ``docs`` and ``text_layers`` fixtures; a family's
    module subclasses it as ``Test<Family>Family`` and sets ``family``."""

    family: ClassVar[PdfFamily]

    def test_is_a_family_with_the_plan_of_the_others(self) -> None:
        name = self.family.name
        assert name in corpus.FAMILIES and name in STACK_FAMILIES
        check_plan(name)
        with pytest.raises(ValueError, match=self.family.engine):
            corpus.compose(corpus.plan(1, seed=1, family=name)[0])

    def test_every_catalog_code_renders_with_a_truth_of_the_contract(self, docs: list) -> None:
        check_truth_contract(docs, self.family.name)
        multi = sum(doc.truth["pages"] > 1 for doc in docs[len(load_catalog().notices) :])
        assert multi in self.family.planned_multi_page, multi  # about a third of the planned documents

    def test_amounts_add_up(self, docs: list) -> None:
        check_amounts_add_up(docs)

    def test_every_truth_value_is_in_the_text_layer(self, docs: list, text_layers: list[str]) -> None:
        check_truth_in_text(docs, text_layers, self.family.printed_values)
        for doc, text in zip(docs, text_layers, strict=True):
            assert not re.search(r"\b\d{3}-\d\d-\d{4}\b", text), doc.spec  # no full SSN

    def test_values_recorded_absent_are_not_printed(self, docs: list, text_layers: list[str]) -> None:
        absent = check_absent_not_printed(docs, text_layers, self.family.dates)
        unstated = absent.pop("unstated deadline")
        assert min(absent.values()) >= self.family.least_absent, absent  # each case checked
        assert unstated >= self.family.least_unstated, unstated

    def test_a_notice_with_an_amount_due_ends_with_its_voucher_at_the_foot(
        self, docs: list, tmp_path: Path
    ) -> None:
        """On the last page, the stub's "Amount enclosed" starts low (``stub_below``) and, where the family
        says how far (``stub_reaches``), the stub reaches down to the foot; no stub without an amount."""
        checked = 0
        for doc in docs:
            top, words = amount_enclosed_top(doc.pdf, doc.truth["pages"], tmp_path / "stub.pdf")
            if doc.truth["fields"]["amount_due"] is None:
                assert top is None, doc.spec
                continue
            assert top is not None and top > PAGE_HEIGHT_PT * self.family.stub_below, doc.spec
            if self.family.stub_reaches:
                footer, reach = self.family.stub_reaches
                assert _lowest_word_above(words, PAGE_HEIGHT_PT - footer) > PAGE_HEIGHT_PT - reach, doc.spec
            checked += 1
        assert checked >= 30


def _lowest_word_above(words: str, line: float) -> float:
    """Where the lowest word (``pdftotext -bbox``) ending above ``line`` ends, in points from the top."""
    return max(y for y in map(float, re.findall(r'yMax="([\d.]+)"', words)) if y < line)


class CaptureModelTests:
    """The desk and intake capture models (``CAPTURE_MODEL_CASES``) each write a readable file of one
    ``capture_model_code`` document: a family's ``Test<Family>Family`` adds this class to its bases."""

    family: ClassVar[ComposedPdfFamily]
    capture_model_code: ClassVar[str] = "LT11"

    @pytest.mark.parametrize(("captures", "kind", "degradation", "suffix", "pages"), CAPTURE_MODEL_CASES)
    def test_desk_and_intake_captures_write_a_readable_file(
        self, tmp_path: Path, captures: str, kind: str, degradation: str, suffix: str, pages: int
    ) -> None:
        spec = Spec(
            5, 4, self.capture_model_code, kind, degradation, pages=pages, family=self.family.name,
            captures=captures,
        )  # fmt: skip
        check_written_capture_model(self.family.write, spec, tmp_path, suffix)


class ComposedPdfFamilyTests(PdfFamilyTests):
    """The tests every PDF family drawn from a ``Spec`` alone passes besides ``PdfFamilyTests``: the same
    seed draws the same documents (in another process too), the pages asked for, each capture kind's file,
    the CLI's corpus."""

    family: ClassVar[ComposedPdfFamily]

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        # pytest asks a test class too: the pages asked for are each family's own cases
        if metafunc.definition.name == "test_pages_asked_for_are_printed_and_none_is_blank":
            metafunc.parametrize(("code", "pages"), self.family.pages_asked_for)

    def test_same_seed_gives_the_same_truth_text_and_pdf(
        self, docs: list, text_layers: list[str], tmp_path: Path
    ) -> None:
        family = self.family
        again = [family.compose(doc.spec) for doc in docs[-family.recomposed :]]
        other = family.compose(Spec(0, 99, docs[0].spec.code, "pdf_text", "clean", family=family.name))
        check_composed_again(docs, text_layers, again, other, tmp_path / "again.pdf")

    def test_same_seed_gives_the_same_bytes_in_another_process(self, docs: list) -> None:
        fonts = self.family.another_process_fonts
        spec = next(doc.spec for doc in docs if doc.facts.font in fonts) if fonts else docs[-1].spec
        check_same_bytes_in_another_process(self.family.compose, spec)

    def test_pages_asked_for_are_printed_and_none_is_blank(
        self, tmp_path: Path, code: str, pages: int
    ) -> None:
        doc = self.family.compose(Spec(3, 2, code, "pdf_text", "clean", pages=pages, family=self.family.name))
        assert doc.truth["pages"] == pages
        check_pages_asked_for(doc.pdf, pages, tmp_path / "pages.pdf")

    @pytest.mark.parametrize(("kind", "degradation", "suffix", "pages"), CAPTURE_CASES)
    def test_each_capture_kind_writes_a_readable_file(
        self, tmp_path: Path, kind: str, degradation: str, suffix: str, pages: int
    ) -> None:
        spec = Spec(7, 3, "CP504", kind, degradation, pages=pages, family=self.family.name)
        check_written_capture(self.family.write, spec, tmp_path, suffix)

    def test_cli_writes_a_corpus(self, tmp_path: Path) -> None:
        check_cli_corpus(tmp_path, self.family.name)


class BatchedPdfFamilyTests(PdfFamilyTests):
    """The tests of ``ComposedPdfFamilyTests``, for a ``BatchedPdfFamily``: each reads the module's ``batch``
    fixture (``compose_batch``) instead of drawing its own documents."""

    family: ClassVar[BatchedPdfFamily[Any]]

    def test_same_seed_gives_the_same_truth_text_and_pdf(
        self, batch: Batch[Any], text_layers: list[str], tmp_path: Path
    ) -> None:
        check_composed_again(batch.docs, text_layers, batch.again, batch.other, tmp_path / "again.pdf")

    def test_same_seed_gives_the_same_bytes_in_another_process(self, batch: Batch[Any]) -> None:
        """A fresh process, started with the batch, draws the last document alone as the batch drew it."""
        check_drawn_in_another_process(batch.fresh, batch.docs[-1].pdf)

    def test_pages_asked_for_are_printed_and_none_is_blank(self, batch: Batch[Any], tmp_path: Path) -> None:
        for doc, (_code, pages) in zip(batch.asked, self.family.pages_asked_for, strict=True):
            assert doc.truth["pages"] == pages, doc.spec
            check_pages_asked_for(doc.pdf, pages, tmp_path / "pages.pdf")

    def test_each_capture_kind_writes_a_readable_file(self, batch: Batch[Any], tmp_path: Path) -> None:
        """Every capture kind and file type (``BATCH_CAPTURES``), written as the family's ``write_*s`` writes
        a composed document."""
        for doc, (kind, _degradation, suffix, pages, model) in zip(
            batch.captures, BATCH_CAPTURES, strict=True
        ):
            spec = doc.spec
            truth = write_pdf_document(
                doc.pdf, doc.truth, spec, doc.facts.base.notice_date, tmp_path, doc.rng
            )
            assert truth["pages"] == pages and truth.get("captures", "default") == model, spec
            check_capture_file(tmp_path, truth, spec.name, kind, suffix)

    def test_cli_writes_a_corpus(self, tmp_path: Path) -> None:
        check_cli_corpus(tmp_path, self.family.name)
