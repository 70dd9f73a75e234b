"""A scanned stack on the review pages and the API: the stack lists its notices, a notice shows only its
own pages of the stack's file, and a person moves a boundary by a form or ``POST /v1/notices/{id}/split``
(the notices derived anew from the kept pages). Text-layer stacks, a tmp SQLite store, in-process."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pipeline.ingest import Incoming, ingest
from pipeline.models import Channel, NoticeResult
from pipeline.process import PipelineContext
from pipeline.settings import Settings
from pipeline.store import Store, open_store
from tests.stacks import notices, write_stack
from tests.test_web import ACME_KEY, csrf_of, log_in, make_app


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def store(home: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{home / 'noticeflow.db'}")
    yield opened
    opened.close()


@pytest.fixture
def stack(tmp_path: Path, home: Path, store: Store) -> NoticeResult:
    """Two notices of two pages each, taken in for acme."""
    write_stack(tmp_path / "stack.pdf", notices(2, seed=8, pages=(2, 2)))
    context = PipelineContext.default(dt.date(2026, 5, 12), Settings(home=home))
    return ingest(Incoming(tmp_path / "stack.pdf", "stack.pdf", Channel.API, "acme"), context, store)


@pytest.fixture
def acme(home: Path, store: Store) -> Iterator[TestClient]:
    with TestClient(make_app(home, store), client=("127.0.0.1", 50000), follow_redirects=False) as client:
        assert log_in(client).status_code == 303
        yield client


def _page_images(html: str) -> list[int]:
    return [int(number) for number in re.findall(r'/pages/(\d+)\.png"', html)]


def test_the_stack_lists_its_notices_and_a_notice_shows_only_its_pages(
    acme: TestClient, stack: NoticeResult
) -> None:
    first, second = (child.document_id for child in stack.children)

    stack_page = acme.get(f"/notices/{stack.document_id}").text
    notice_page = acme.get(f"/notices/{second}").text

    assert f'href="/notices/{first}"' in stack_page and f'href="/notices/{second}"' in stack_page
    assert _page_images(stack_page) == [1, 2, 3, 4] and _page_images(notice_page) == [3, 4]
    assert f'href="/notices/{stack.document_id}"' in notice_page  # back to the whole scan
    assert acme.get(f"/notices/{second}/pages/3.png").headers["content-type"] == "image/png"
    assert acme.get(f"/notices/{second}/pages/1.png").status_code == 404


def test_a_person_moves_a_boundary_with_the_form(acme: TestClient, stack: NoticeResult, store: Store) -> None:
    notice = stack.children[1].document_id
    html = acme.get(f"/notices/{notice}").text
    assert 'name="starts"' in html and 'value="1, 3"' in html

    moved = acme.post(f"/notices/{notice}/split", data={"starts": "1, 2", "csrf_token": csrf_of(html)})

    assert moved.status_code == 303
    assert moved.headers["location"] == f"/notices/{stack.document_id}?done=split"
    ranges = [child.page_range for child in store.result(stack.document_id, "acme").children]
    assert ranges == [(1, 1), (2, 4)]
    assert [e.actor for e in store.audit_log(stack.document_id, "acme") if e.action == "review_split"] == [
        "Dana"
    ]


def test_the_api_moves_a_boundary(acme: TestClient, stack: NoticeResult) -> None:
    headers = {"Authorization": f"Bearer {ACME_KEY}"}
    url = f"/v1/notices/{stack.document_id}/split"

    moved = acme.post(url, json={"starts": [1, 4], "reviewer": "Eve"}, headers=headers)
    refused = acme.post(url, json={"starts": [9]}, headers=headers)
    notice = acme.get(f"/v1/notices/{stack.document_id}:p1-3", headers=headers)

    assert moved.status_code == 200, moved.text
    assert [child["page_range"] for child in moved.json()["children"]] == [[1, 3], [4, 4]]
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "bad_correction"
    assert notice.status_code == 200 and notice.json()["parent_id"] == stack.document_id
