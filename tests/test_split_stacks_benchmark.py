"""The splitting benchmark's scoring (benchmarks/split_stacks.py) on results shaped as the splitter's
contract says (a parent with ``children``, each with its ``page_range``), and its OCR cache. The contract's
fields are not in ``NoticeResult`` yet: the results here are subclasses that add them."""

from __future__ import annotations

from pathlib import Path

from benchmarks.accuracy import AS_OF
from benchmarks.split_stacks import CachedOcrEngine, Scores, cuts_of, read_stacks, score_truth_cut
from fixtures.generator.stack import compose_stack, write_stack
from pipeline.models import Field, NoticeResult, OcrWord, Status
from pipeline.process import PipelineContext

TRUTH_FIELDS = {"notice_number": "CP14", "tax_year": 2023, "ssn_last4": "1234", "amount_due": "10.00",
                "deadline": "2024-06-10", "notice_date": "2024-05-20"}  # fmt: skip


class Child(NoticeResult):
    page_range: tuple[int, int]


class Parent(NoticeResult):
    children: tuple[Child, ...] = ()


def _truth(*ranges: tuple[int, int], pages: int) -> dict:
    notices = [
        {"page_range": list(r), "truth": {"source": f"s.pdf#{r[0]}-{r[1]}", "kind": "pdf_scan",
                                          "degradation": "clean", "fields": dict(TRUTH_FIELDS)}}
        for r in ranges
    ]  # fmt: skip
    covered = {page for first, last in ranges for page in range(first, last + 1)}
    blanks = [page for page in range(1, pages + 1) if page not in covered]
    return {"source": "s.pdf", "pages": pages, "notices": notices, "blank_pages": blanks}


def _child(first: int, last: int, status: Status = Status.PROCESSED, **changed: object) -> Child:
    fields = {name: Field(value=changed.get(name, value)) for name, value in TRUTH_FIELDS.items()}
    return Child(document_id="", source="s.pdf", status=status, fields=fields, page_range=(first, last))


def test_a_result_without_children_is_one_notice_over_all_pages_and_a_failed_one_none():
    plain = NoticeResult(document_id="", source="s.pdf", status=Status.NEEDS_REVIEW, pages=7)
    assert [cut.page_range for cut in cuts_of(plain)] == [(1, 7)]
    failed = NoticeResult(document_id="", source="s.pdf", status=Status.FAILED, pages=7)
    assert cuts_of(failed) == []
    split = Parent(document_id="", source="s.pdf", status=Status.NEEDS_REVIEW, pages=7,
                   children=(_child(1, 3), _child(5, 7)))  # fmt: skip
    assert [cut.page_range for cut in cuts_of(split)] == [(1, 3), (5, 7)]


def test_a_stack_cut_right_scores_every_range_and_field_and_its_split_time():
    scores = Scores()
    children = (_child(1, 3), _child(5, 7, tax_year=2022))
    parent = Parent(document_id="", source="s.pdf", status=Status.NEEDS_REVIEW, pages=7, children=children,
                    timings={"split": 0.02})  # fmt: skip
    scores.add(_truth((1, 3), (5, 7), pages=7), parent, ocr_seconds=2.0)
    assert scores.stacks.right["split exactly"] == 1 and scores.ranges.right["page ranges"] == 2
    assert scores.fields_all.right["core fields"] == 11 and scores.fields_all.total["core fields"] == 12
    assert len(scores.wrong) == 1 and "tax_year = 2022" in scores.wrong[0] and scores.stray == []
    assert (scores.split_seconds, scores.ocr_seconds) == (0.02, 2.0)


def test_a_missed_boundary_costs_both_notices_and_a_processed_merge_is_a_stray_notice():
    scores = Scores()
    merged = Parent(document_id="", source="s.pdf", status=Status.PROCESSED, pages=7,
                    children=(_child(1, 7),))  # fmt: skip
    scores.add(_truth((1, 3), (5, 7), pages=7), merged, ocr_seconds=2.0)
    assert scores.stacks.right["split exactly"] == 0 and scores.ranges.right["page ranges"] == 0
    assert scores.fields_all.right["core fields"] == 0 and scores.fields_all.total["core fields"] == 12
    assert scores.processed.right["all"] == 0 and scores.fields_cut_right.total == {}
    assert len(scores.stray) == 1 and "pages 1-7" in scores.stray[0]
    assert "truth 1-3 5-7 (blank 4); cut 1-7" in scores.misses[0]


class CountingEngine:
    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def recognize(self, image_path: Path) -> list[OcrWord]:
        self.calls += 1
        return [OcrWord(text=image_path.read_text(), confidence=0.9, bbox=(1, 2, 3, 4))]

    def recognize_line(self, image_path: Path) -> list[OcrWord]:
        return self.recognize(image_path)

    def detect_rotation(self, image_path: Path) -> int:
        self.calls += 1
        return 90


def test_the_ocr_cache_answers_the_same_image_again_without_the_engine(tmp_path):
    engine = CountingEngine()
    cached = CachedOcrEngine(engine, tmp_path / "ocr")
    page, other = tmp_path / "a.pgm", tmp_path / "b.pgm"
    page.write_text("CP14")
    other.write_text("CP501")
    first = cached.recognize(page)
    again = CachedOcrEngine(CountingEngine(), tmp_path / "ocr")  # a later run over the same folder
    assert again.recognize(page) == first and again.misses == 0
    assert cached.detect_rotation(page) == 90 and again.detect_rotation(page) == 90
    assert cached.recognize(other)[0].text == "CP501"
    assert engine.calls == 3 and cached.misses == 3


def test_a_text_layer_stack_is_read_and_scored_end_to_end(tmp_path):
    truth = write_stack(compose_stack(27, 3, "classic", "pdf_text"), tmp_path)  # 7 pages, no blank: no OCR
    assert truth["pages"] == 7 and truth["blank_pages"] == []
    context = PipelineContext.default(AS_OF)
    scores = read_stacks(tmp_path, [truth], context)
    notices = len(truth["notices"])
    assert scores.stacks.total["split exactly"] == 1 and scores.ranges.total["page ranges"] == notices
    assert scores.fields_all.total["core fields"] == 6 * notices and scores.processed.total["all"] == notices
    assert scores.ocr_seconds == 0.0
    truth_cut = score_truth_cut(tmp_path, [truth], context)
    assert truth_cut.ranges.right["page ranges"] == notices and truth_cut.stray == []
    # each notice read as a document of its own, numbered from 1: its page-1 taxpayer block is found
    assert truth_cut.processed.right["all"] >= notices - 1
    assert not [line for line in truth_cut.omitted if "taxpayer_name" in line or "address" in line]
