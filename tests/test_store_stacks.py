"""The store keeps a scanned stack once and each of its notices as a document of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipeline.models import NoticeResult, Segment, SplitPlan, Status
from pipeline.store import Store, open_store
from tests.test_store import doc_id, notice, url  # noqa: F401 (the fixture: SQLite and PostgreSQL)


@pytest.fixture
def store(url: str) -> Iterator[Store]:  # noqa: F811
    store = open_store(url)
    yield store
    store.close()


STACK = doc_id("stack")


def stack(ranges: list[tuple[int, int]], amounts: list[str]) -> NoticeResult:
    children = tuple(
        notice(f"{STACK}:p{first}-{last}", amount=amount, source="stack.pdf").model_copy(
            update={"page_range": (first, last), "parent_id": STACK}
        )
        for (first, last), amount in zip(ranges, amounts, strict=True)
    )
    plan = SplitPlan(segments=tuple(Segment(first=first, last=last) for first, last in ranges))
    return NoticeResult(
        document_id=STACK,
        source="stack.pdf",
        status=Status.NEEDS_REVIEW,
        pages=6,
        children=children,
        split=plan,
    )


def test_each_notice_of_a_stack_is_stored_once_as_its_own_document(store: Store) -> None:
    saved = stack([(1, 2), (4, 6)], ["10.00", "20.00"])

    store.save_result(saved)
    again = store.save_result(saved)

    assert store.result(STACK) == saved
    assert again.status is Status.DUPLICATE and again.children == saved.children
    child = store.result(f"{STACK}:p4-6")
    assert child.parent_id == STACK and child.field_value("amount_due") == "20.00"
    assert [entry.action for entry in store.audit_log(f"{STACK}:p1-2")] == ["ingested"]
    assert sorted(r.document_id for r in store.list_results()) == [f"{STACK}:p1-2", f"{STACK}:p4-6"]


def test_a_stack_cut_anew_supersedes_the_notices_whose_pages_changed(store: Store) -> None:
    store.save_result(stack([(1, 2), (4, 6)], ["10.00", "20.00"]))

    store.replace_result(
        stack([(1, 2), (4, 4), (5, 6)], ["10.00", "2.00", "18.00"]), "default", "ann", "split", ()
    )

    assert [c.page_range for c in store.result(STACK).children] == [(1, 2), (4, 4), (5, 6)]
    assert [entry.action for entry in store.audit_log(f"{STACK}:p4-6")] == ["ingested", "superseded"]
    assert [entry.action for entry in store.audit_log(f"{STACK}:p1-2")] == ["ingested"]  # unchanged
    assert [entry.action for entry in store.audit_log(f"{STACK}:p4-4")] == ["ingested"]
    assert [entry.action for entry in store.audit_log(STACK)] == ["ingested", "split"]
    queued = sorted(r.document_id for r in store.list_results())
    assert queued == [f"{STACK}:p1-2", f"{STACK}:p4-4", f"{STACK}:p5-6"]
