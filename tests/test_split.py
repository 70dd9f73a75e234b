"""pipeline.split and the results of a stack: one result per notice, page ranges, blank pages, doubts."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.errors import BadCorrection
from pipeline.ingest import Incoming, ingest
from pipeline.load import LoadLimits, load_document
from pipeline.models import Channel, OcrDocument, OcrLine, OcrPage, OcrWord, PageSource, Status
from pipeline.process import PipelineContext, analyze_document, process_document
from pipeline.review import accept_result, move_boundaries
from pipeline.settings import Settings
from pipeline.split import plan_from_cuts, plan_split, read_evidence
from pipeline.store import open_store
from tests.stacks import BLANK, notices, write_stack


@pytest.fixture
def context(tmp_path: Path) -> PipelineContext:
    return PipelineContext.default(dt.date(2026, 11, 28), Settings(home=tmp_path / "home"))


def _text_pages(path: Path) -> OcrDocument:
    """The stack's pages as read without OCR: its blank sheets (no text layer) as pages with no line."""
    loaded = load_document(path, LoadLimits())
    return OcrDocument(
        pages=tuple(page if isinstance(page, OcrPage) else _page(page.number, []) for page in loaded.pages)
    )


def _page(number: int, rows: list[str]) -> OcrPage:
    lines = tuple(
        OcrLine(text=text, bbox=(200, 200 + 60 * index, 1500, 40), confidence=0.95)
        for index, text in enumerate(rows)
    )
    return OcrPage(number=number, width=2550, height=3300, source=PageSource.OCR, lines=lines)


@pytest.mark.parametrize("family", ["irs", "classic", "letter"])
def test_a_stack_of_generated_notices_is_cut_where_each_notice_starts(tmp_path: Path, family: str) -> None:
    specs = notices(5, seed=3, family=family, pages=(1, 4))
    parts = [specs[0], BLANK, specs[1], specs[2], BLANK, BLANK, specs[3], specs[4]]
    truth = write_stack(tmp_path / "stack.pdf", parts)

    plan = plan_split(_text_pages(tmp_path / "stack.pdf"))

    assert [(s.first, s.last) for s in plan.segments] == [(first, last) for first, last, _ in truth]
    assert plan.blank_pages == (truth[0][1] + 1, truth[2][1] + 1, truth[2][1] + 2)
    assert plan.is_certain


def _counted(number: int, k: int, n: int, code: str, ssn: str) -> OcrPage:
    header = [f"Notice    {code}", f"Social Security number    XXX-XX-{ssn}", f"Page {k} of {n}"]
    return _page(number, [*header, "We changed your return because of a miscalculation and you owe tax."])


def test_a_page_counter_that_runs_on_keeps_pages_together_despite_another_code() -> None:
    """'Page 2 of 2' after 'Page 1 of 2' outweighs a code misread on page 2, but the boundary is doubted."""
    document = OcrDocument(pages=(_counted(1, 1, 2, "CP14", "1234"), _counted(2, 2, 2, "CP501", "1234")))

    plan = plan_split(document)

    assert [(s.first, s.last) for s in plan.segments] == [(1, 2)]
    assert not plan.is_certain
    assert [(cut.page, cut.is_cut, cut.is_certain) for cut in plan.cuts] == [(2, False, False)]


def test_a_code_the_catalog_does_not_know_does_not_outweigh_page_2_of_2() -> None:
    """A low-resolution troff stack: page 1's "CP501" read "CP5501", its counter unread; page 2 prints "Page 2
    of 2" and its stub names CP501. A misread code is no other notice."""
    body = ["Social Security number    XXX-XX-4604", "You owe tax on your return."]
    second = _page(
        2, ["If you can't pay, call us.", "Notice    CP501    Amount due    $502.65", "Page 2 of 2"]
    )
    assert _ranges(OcrDocument(pages=(_page(1, ["Notice    CP5501", *body]), second))) == [(1, 2)]
    assert _ranges(OcrDocument(pages=(_page(1, ["Notice    CP14", *body]), second))) == [(1, 1), (2, 2)]


def _ranges(document: OcrDocument) -> list[tuple[int, int]]:
    return [(segment.first, segment.last) for segment in plan_split(document).segments]


def test_without_page_counters_a_new_code_and_ssn_cut_and_a_stub_alone_is_a_doubt() -> None:
    stub = "Detach here and return this stub with your payment    Amount enclosed $"
    document = OcrDocument(
        pages=(
            _page(1, ["Notice    CP14", "SSN XXX-XX-1234", "You owe tax on your return this year.", stub]),
            _page(2, ["Notice    CP501", "SSN XXX-XX-9876", "You still owe tax on your return as we said."]),
            _page(3, ["Continued from the notice we sent you about the balance you still owe us."]),
            _page(4, ["Notice    CP501", "SSN XXX-XX-9876", "You still owe tax on your return.", stub]),
            _page(5, ["Your rights as a taxpayer are explained in Publication 1 which we enclose."]),
        )
    )

    plan = plan_split(document)

    assert [(s.first, s.last) for s in plan.segments] == [(1, 1), (2, 4), (5, 5)]
    assert [(cut.page, cut.is_certain) for cut in plan.cuts] == [(2, True), (5, False)]
    assert "a stub ended page 4" in plan.cuts[1].evidence


def test_a_person_s_cuts_make_the_plan_and_blank_pages_stay_out(tmp_path: Path) -> None:
    specs = notices(2, seed=5, pages=(2, 2))
    write_stack(tmp_path / "stack.pdf", [specs[0], BLANK, specs[1]])

    plan = plan_from_cuts(_text_pages(tmp_path / "stack.pdf"), [2, 4])

    assert [(s.first, s.last) for s in plan.segments] == [(1, 1), (2, 2), (4, 5)]
    assert plan.blank_pages == (3,)
    assert plan.is_certain


@pytest.mark.tesseract  # the blank sheet has no text layer: tesseract reads it (and finds nothing)
def test_each_notice_of_a_stack_is_its_own_result_and_the_parent_holds_them(
    tmp_path: Path, context: PipelineContext
) -> None:
    specs = notices(3, seed=11, pages=(1, 3))
    truth = write_stack(tmp_path / "stack.pdf", [specs[0], specs[1], BLANK, specs[2]])

    parent = process_document(tmp_path / "stack.pdf", context)

    assert parent.split is not None and parent.split.blank_pages == (truth[1][1] + 1,)
    assert [child.page_range for child in parent.children] == [(first, last) for first, last, _ in truth]
    assert [child.field_value("notice_number") for child in parent.children] == [code for *_, code in truth]
    for child, (first, last, _) in zip(parent.children, truth, strict=True):
        assert child.document_id == f"{parent.document_id}:p{first}-{last}"
        assert child.parent_id == parent.document_id
        assert child.pages == last - first + 1
        assert {f.page for f in child.fields.values() if f.page} <= set(range(first, last + 1))
    all_processed = all(child.status is Status.PROCESSED for child in parent.children)
    assert parent.status is (Status.PROCESSED if all_processed else Status.NEEDS_REVIEW)
    assert "split" in parent.timings and parent.fields == {}


def test_a_one_notice_document_is_read_as_before(context: PipelineContext) -> None:
    sample = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "notice_0006.pdf"

    result = process_document(sample, context)

    assert result.children == () and result.page_range is None and result.split is None
    assert "children" not in result.model_dump(mode="json") and result.fields


class _NoOcr:
    """An OCR engine that must not be called: moving a boundary reads the kept pages."""

    name = "none"

    def recognize(self, image_path: Path) -> list[OcrWord]:
        raise AssertionError(f"OCR was run on {image_path}")

    def recognize_line(self, image_path: Path) -> list[OcrWord]:
        raise AssertionError(f"OCR was run on {image_path}")

    def detect_rotation(self, image_path: Path) -> int:
        raise AssertionError(f"OCR was run on {image_path}")


def test_a_person_moves_a_boundary_and_the_notices_are_derived_anew_without_ocr(
    tmp_path: Path, context: PipelineContext
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    specs = notices(2, seed=8, pages=(2, 2))
    write_stack(tmp_path / "stack.pdf", specs)
    stack = ingest(Incoming(tmp_path / "stack.pdf", "stack.pdf", Channel.CLI), context, store)
    sha = stack.document_id
    assert [child.page_range for child in stack.children] == [(1, 2), (3, 4)]
    accepted = accept_result(store, f"{sha}:p3-4", actor="ann")
    no_ocr = replace(context, engine=_NoOcr())

    moved = move_boundaries(store, sha, [1, 2], actor="ann", context=no_ocr)
    back = move_boundaries(store, sha, [3], actor="bo", context=no_ocr)

    assert [child.page_range for child in moved.children] == [(1, 1), (2, 4)]
    assert [child.page_range for child in back.children] == [(1, 2), (3, 4)]
    assert store.history(f"{sha}:p3-4")[-2] == accepted  # read anew when its pages came back
    assert [e.action for e in store.audit_log(f"{sha}:p3-4")][-2:] == ["superseded", "review_split"]
    assert [e.action for e in store.audit_log(f"{sha}:p2-4")] == ["ingested", "superseded"]
    assert sorted(r.document_id for r in store.list_results()) == [f"{sha}:p1-2", f"{sha}:p3-4"]
    split_audit = [e for e in store.audit_log(sha) if e.action == "review_split"]
    assert [(e.old_value, e.new_value, e.actor) for e in split_audit] == [
        ("1-2, 3-4", "1-1, 2-4", "ann"),
        ("1-1, 2-4", "1-2, 3-4", "bo"),
    ]
    with pytest.raises(BadCorrection):
        move_boundaries(store, f"{sha}:p1-2", [2], actor="ann", context=no_ocr)


def test_a_notice_that_starts_on_a_later_page_reads_its_first_page_s_address(tmp_path: Path) -> None:
    """The taxpayer's block is read on the notice's own first page, not on page 1 of the file."""
    specs = notices(2, seed=21, pages=(2, 2))
    write_stack(tmp_path / "stack.pdf", specs)
    document = _text_pages(tmp_path / "stack.pdf")
    later = OcrDocument(pages=document.pages[2:])
    context = PipelineContext.default(dt.date(2026, 11, 28))

    alone = analyze_document("", "", OcrDocument(pages=tuple(
        page.model_copy(update={"number": page.number - 2}) for page in later.pages
    )), context, {})  # fmt: skip
    in_stack = analyze_document("", "", later, context, {})

    assert in_stack.field_value("taxpayer_name") == alone.field_value("taxpayer_name") is not None
    assert in_stack.field_value("address") == alone.field_value("address") is not None


def _garbage(number: int, *rows: OcrLine) -> OcrPage:
    """The back of a sheet whose front shows through, as OCR reads it: mirrored words, low confidence."""
    mirrored = ["yodmun", "bemrof", "sint", "nwot", "ylno", "otni", "enil", "ereht", "nehw", "roop"]
    words = tuple(
        OcrWord(text=text, confidence=0.2 if index % 4 else 0.9, bbox=(200 + 90 * index, 300, 80, 30))
        for index, text in enumerate(mirrored)
    )
    line = OcrLine(text=" ".join(mirrored), bbox=(200, 300, 1000, 30), confidence=0.35, words=words)
    return OcrPage(number=number, width=2550, height=3300, source=PageSource.OCR, lines=(line,) * 6 + rows)


def test_a_back_the_front_shows_through_is_blank_and_a_poor_page_with_a_counter_is_not() -> None:
    counter = OcrLine(text="Page 2 of 2", bbox=(1500, 200, 200, 30), confidence=0.4)
    document = OcrDocument(pages=(_counted(1, 1, 2, "CP14", "1234"), _garbage(2), _garbage(3, counter)))

    plan = plan_split(document)

    assert plan.blank_pages == (2,)
    assert [(s.first, s.last) for s in plan.segments] == [(1, 3)]


@pytest.mark.parametrize(
    ("printed", "counter"),
    [
        pytest.param("Page 2 of 5", (2, 5), id="printed"),
        pytest.param("Page 2 ef 5", (2, 5), id="of-misread"),
        pytest.param("Paqe l of 3", (1, 3), id="page-and-digit-misread"),
        pytest.param("3813 WILLOW AVE    Page 1 of 5", (1, 5), id="beside-the-address"),
        pytest.param("see page 2 to 5 of the form", None, id="a-sentence"),
    ],
)
def test_page_counters_are_read_through_ocr_damage(printed: str, counter: tuple[int, int] | None) -> None:
    assert read_evidence(_page(1, ["Notice    CP14", printed])).counter == counter
