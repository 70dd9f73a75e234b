"""Cases (pipeline/cases.py rules, the store's linking on SQLite and PostgreSQL, the API and the CLI)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError
from sqlalchemy import Engine, text

from fixtures.generator.corpus import Spec, compose
from fixtures.generator.pdf import pdf_bytes
from flows.api import create_app
from flows.api_keys import ApiSettings
from flows.web_pages import WebSettings
from pipeline.cases import (
    CaseEventKind,
    CaseStatus,
    arrange_case,
    case_for_day,
    case_key,
    case_keys,
    content_key,
    route_in_case,
)
from pipeline.catalog import Catalog, load_catalog
from pipeline.errors import CaseNotFound, DocumentNotFound
from pipeline.models import (
    Decision,
    Field,
    NoticeResult,
    NoticeTypeMatch,
    OcrDocument,
    Priority,
    Resolution,
    Status,
    TaxPeriod,
)
from pipeline.process import PipelineContext, analyze_document
from pipeline.reminders import open_results
from pipeline.store import Store, open_store
from pipeline.textlayer import read_text_layer
from pipeline.triage import for_day
from tests import test_store
from tests.test_api import ACME, ACME_KEY, BETA, BETA_KEY
from tests.test_store import doc_id
from tests.test_web import SECRET, log_in, text_of

url = test_store.url  # the store's fixtures: SQLite, and PostgreSQL when NOTICEFLOW_TEST_PG_URL is set
store = test_store.store
db = test_store.db

PLAN, DISPUTE = CaseEventKind.PAYMENT_PLAN, CaseEventKind.DISPUTE
SULLIVAN = {"ssn_last4": "3051", "taxpayer_name": "JENNIFER & MARK SULLIVAN", "tax_year": 2023}


def result(
    name: str,
    code: str,
    notice_date: str,
    *,
    amount: str | None = "5181.72",
    deadline: str | None = None,
    profile_id: str | None = "client-7",
    status: Status = Status.PROCESSED,
    revised: bool = False,
    **fields: Any,
) -> NoticeResult:
    """A stored notice of the Sullivans' 2023 return unless ``fields`` say otherwise; ``revised`` prints the
    marker of a revision."""
    values = {
        **SULLIVAN,
        "notice_number": code,
        "notice_date": notice_date,
        "amount_due": amount,
        "deadline": deadline or (dt.date.fromisoformat(notice_date) + dt.timedelta(days=21)).isoformat(),
        **fields,
    }
    return NoticeResult(
        document_id=doc_id(name),
        source=f"{name}.pdf",
        status=status,
        notice_type=NoticeTypeMatch(code=code, title=code, confidence=0.97),
        fields={key: Field(value=value, confidence=0.95) for key, value in values.items()},
        profile_id=profile_id,
        revised=Field(value="revised", confidence=0.95, raw="This is a revised") if revised else None,
    )


def rejected(notice: NoticeResult) -> NoticeResult:
    return notice.model_copy(update={"resolution": Resolution(decision=Decision.REJECT, actor="ana")})


# ---- rules ------------------------------------------------------------------------------------------------


def test_a_case_is_the_profile_form_and_tax_year() -> None:
    key = case_key(result("cp14", "CP14", "2024-05-20"))
    assert key is not None and key.text == "profile client-7 | form 1040 | 2023"
    other_year = case_key(result("cp14-2022", "CP14", "2024-05-20", tax_year=2022))
    assert other_year is not None and other_year.text != key.text


def test_without_a_profile_the_case_is_the_ssn_and_surname() -> None:
    key = case_key(result("cp14", "CP14", "2024-05-20", profile_id=None))
    spouse = case_key(result("cp14b", "CP14", "2024-05-20", profile_id=None, taxpayer_name="MARK SULLIVAN"))
    assert key is not None and key.taxpayer == "SSN 3051 SULLIVAN" and key == spouse


def test_a_notice_without_a_tax_year_is_a_case_of_its_own_and_a_failed_one_is_in_none() -> None:
    alone = case_key(result("cp14", "CP14", "2024-05-20", tax_year=None))
    assert alone is not None and alone.taxpayer == f"document {doc_id('cp14')}"
    assert case_key(result("bad", "CP14", "2024-05-20", status=Status.FAILED)) is None


def test_the_same_notice_has_the_same_content_key_whatever_its_bytes() -> None:
    scan, download = result("scan", "CP14", "2024-05-20"), result("download", "CP14SP", "2024-05-20")
    assert content_key(scan) == content_key(download) == "CP14|2024-05-20|2023|3051|5181.72"
    assert content_key(result("later", "CP14", "2024-06-20")) != content_key(scan)
    undated = scan.model_copy(update={"fields": {**scan.fields, "notice_date": Field(value=None)}})
    assert content_key(undated) is None
    assert content_key(result("bare", "CP14", "2024-05-20", amount=None, ssn_last4=None)) is None


def test_the_timeline_follows_notice_dates_then_the_escalation_chain() -> None:
    chain = [
        result("lt11", "LT11", "2024-10-07"),
        result("cp503", "CP503", "2024-08-05"),
        result("cp14", "CP14", "2024-05-20"),
        result("cp504", "CP504", "2024-08-05"),  # same day as the CP503: the later step goes after it
        result("cp501", "CP501", "2024-06-24"),
    ]
    arrangement = arrange_case(chain)
    assert [entry.code for entry in arrangement.entries] == ["CP14", "CP501", "CP503", "CP504", "LT11"]
    assert arrangement.stage == "LT11" and arrangement.notice_count == 5


def test_the_escalation_order_is_catalog_data() -> None:
    catalog = load_catalog()
    assert catalog.escalation_step("CP14SP") == (0, 0)
    assert catalog.escalation_step("LTR1058") == catalog.escalation_step("LT11") == (0, 4)
    assert catalog.escalation_step("CP91") == (0, 4) and catalog.escalation_step("CP504B") == (0, 3)
    assert catalog.escalation_step("CP161") == (0, 0)  # a business's first bill
    assert catalog.escalation_step("CP3219A") == (1, 1) and catalog.escalation_step("CP12") is None
    data = catalog.model_dump(mode="json")
    with pytest.raises(ValidationError, match="CP9999"):
        Catalog.model_validate({**data, "escalations": [[["CP14"], ["CP9999"]]]})
    with pytest.raises(ValidationError, match="more than once"):
        Catalog.model_validate({**data, "escalations": [[["CP14"], ["CP14"]]]})


def test_a_copy_is_linked_to_the_first_and_is_not_a_notice_of_its_own() -> None:
    first, spouse = result("first", "CP14", "2024-05-20"), result("spouse", "CP14", "2024-05-20")
    arrangement = arrange_case([first, spouse, result("cp501", "CP501", "2024-06-24")])
    by_id = {entry.document_id: entry for entry in arrangement.entries}
    assert by_id[spouse.document_id].copy_of == first.document_id and not by_id[spouse.document_id].is_open
    assert by_id[first.document_id].copies == (spouse.document_id,)
    assert [entry.document_id for entry in arrangement.entries][:2] == [first.document_id, spouse.document_id]
    assert arrangement.notice_count == 2


def test_a_later_notice_of_the_same_code_supersedes_the_earlier() -> None:
    earlier = result("cp2000", "CP2000", "2024-03-04", amount="2400.00", deadline="2024-04-03")
    revised = result("cp2000-rev", "CP2000", "2024-05-06", amount="1800.00", deadline="2024-06-05")
    arrangement = arrange_case([revised, earlier])  # stored out of order: the notice date decides
    by_id = {entry.document_id: entry for entry in arrangement.entries}
    assert by_id[earlier.document_id].superseded_by == revised.document_id
    assert not by_id[earlier.document_id].is_open and by_id[revised.document_id].is_open
    assert arrangement.deadline == dt.date(2024, 6, 5)


def test_a_revision_dated_the_day_of_its_original_with_its_amount_supersedes_it_and_is_no_copy() -> None:
    original = result("cp2000", "CP2000", "2024-03-04", amount="2400.00")
    revision = result("cp2000-rev", "CP2000", "2024-03-04", amount="2400.00", revised=True)
    assert content_key(revision) == content_key(original) + "|revised"
    arrangement = arrange_case([revision, original])  # stored out of order: the marker decides
    by_id = {entry.document_id: entry for entry in arrangement.entries}
    assert by_id[original.document_id].superseded_by == revision.document_id
    assert by_id[revision.document_id].copy_of is None and by_id[revision.document_id].is_open
    assert [entry.document_id for entry in arrangement.entries] == [
        original.document_id,
        revision.document_id,
    ]
    assert arrangement.lead == revision.document_id and arrangement.notice_count == 2


def test_two_copies_of_one_revision_are_copies_and_a_later_original_is_not_superseded_by_it() -> None:
    revision = result("rev", "CP2000", "2024-03-04", revised=True)
    spouse = result("rev-spouse", "CP2000", "2024-03-04", revised=True, taxpayer_name="MARK SULLIVAN")
    reissued = result("reissued", "CP2000", "2024-05-06")  # dated later: it supersedes, marker or none
    by_id = {entry.document_id: entry for entry in arrange_case([revision, spouse, reissued]).entries}
    assert by_id[spouse.document_id].copy_of == revision.document_id
    assert by_id[revision.document_id].superseded_by == reissued.document_id
    assert by_id[reissued.document_id].superseded_by is None


def listing(name: str, code: str, notice_date: str, periods: dict[int, str], **fields: Any) -> NoticeResult:
    """A notice listing tax periods of the Sullivans' Form 1040 (year → amount), latest first."""
    rows = tuple(
        TaxPeriod(form="1040", period_end=f"{year}-12-31", amount=amount, confidence=0.97)
        for year, amount in sorted(periods.items(), reverse=True)
    )
    total = str(sum(Decimal(amount) for amount in periods.values()))
    notice = result(name, code, notice_date, amount=total, tax_year=max(periods), **fields)
    return notice.model_copy(update={"periods": rows})


def test_a_notice_listing_periods_belongs_to_the_case_of_each_with_its_periods_amount() -> None:
    cp504 = listing("cp504", "CP504", "2024-08-05", {2023: "5181.72", 2022: "1200.00"})
    keys = case_keys(cp504)
    assert [key.text for key in keys] == [
        "profile client-7 | form 1040 | 2023", "profile client-7 | form 1040 | 2022"
    ]  # fmt: skip
    assert keys[0] == case_key(cp504) and case_keys(result("cp14", "CP14", "2024-05-20")) == (
        case_key(result("cp14", "CP14", "2024-05-20")),
    )
    cp14_2022 = result("cp14-2022", "CP14", "2024-05-20", tax_year=2022, amount="1100.00")
    older = arrange_case([cp14_2022, cp504], key=keys[1])
    assert [(entry.code, entry.amount_due) for entry in older.entries] == [
        ("CP14", "1100.00"), ("CP504", "1200.00")
    ]  # fmt: skip
    assert arrange_case([cp504], key=keys[0]).entries[0].amount_due == "5181.72"


def test_a_business_chain_and_a_cp91_follow_the_escalation_on_the_same_day() -> None:
    business = {"form": "941", "tax_year": 2024}
    chain = [
        result("lt11", "LT11", "2025-03-03", **business),
        result("cp504b", "CP504B", "2025-03-03", **business),
        result("cp161", "CP161", "2025-03-03", **business),
    ]
    assert [entry.code for entry in arrange_case(chain).entries] == ["CP161", "CP504B", "LT11"]
    person = [result("cp91", "CP91", "2024-10-07"), result("cp504", "CP504", "2024-10-07")]
    assert [entry.code for entry in arrange_case(person).entries] == ["CP504", "CP91"]


def test_the_case_takes_the_most_urgent_open_deadline_and_priority() -> None:
    cp2000 = result("cp2000", "CP2000", "2024-08-05", deadline="2024-09-04")
    cp14 = result("cp14", "CP14", "2024-05-20", deadline="2024-06-10")
    arrangement = arrange_case([cp14, cp2000])
    assert arrangement.deadline == dt.date(2024, 6, 10)
    assert arrange_case([rejected(cp14), cp2000]).deadline == dt.date(2024, 9, 4)


def test_a_later_escalation_step_dates_the_case_not_the_passed_deadline_before_it() -> None:
    cp504 = result("cp504", "CP504", "2024-08-05", deadline="2024-09-04")  # intent to levy: high
    cp14 = result("cp14", "CP14", "2024-05-20", deadline="2024-06-10")
    arrangement = arrange_case([cp14, cp504])
    assert arrangement.deadline == dt.date(2024, 9, 4) and arrangement.priority is Priority.HIGH
    assert arrangement.lead == doc_id("cp504") and arrangement.stage == "CP504"


def test_a_case_whose_notices_are_all_closed_is_closed() -> None:
    arrangement = arrange_case([rejected(result("cp14", "CP14", "2024-05-20"))])
    assert arrangement.status is CaseStatus.CLOSED and arrangement.deadline is None


# ---- the store, SQLite and PostgreSQL ---------------------------------------------------------------------


def a_year_of_mail(store: Store) -> dict[str, NoticeResult]:
    mail = {
        "cp14": result("cp14", "CP14", "2024-05-20"),
        "cp14-spouse": result("cp14-spouse", "CP14", "2024-05-20", taxpayer_name="MARK SULLIVAN"),
        "cp501": result("cp501", "CP501", "2024-06-24", amount="5230.10"),
        "cp2000": result("cp2000", "CP2000", "2024-03-04", tax_year=2022, deadline="2024-04-03"),
        "cp2000-rev": result("cp2000-rev", "CP2000", "2024-05-06", tax_year=2022, deadline="2024-06-05"),
    }
    for notice in mail.values():
        store.save_result(notice)
    return mail


def test_saved_notices_are_linked_into_cases(store: Store) -> None:
    mail = a_year_of_mail(store)
    cases = store.list_cases(as_of=dt.date(2024, 6, 1))
    assert len(cases) == 2
    assert cases[0].deadline == dt.date(2024, 6, 5)  # the revised CP2000: its deadline is the nearer one
    assert [case.notice_count for case in cases] == [2, 2]
    balance = store.case(cases[1].id)
    assert [entry.document_id for entry in balance.entries] == [
        mail["cp14"].document_id, mail["cp14-spouse"].document_id, mail["cp501"].document_id
    ]  # fmt: skip
    assert balance.entries[1].copy_of == mail["cp14"].document_id
    assert store.case_id_of(mail["cp14-spouse"].document_id) == balance.id
    proposed = store.case(cases[0].id)
    assert proposed.entries[0].superseded_by == mail["cp2000-rev"].document_id


def test_a_same_day_revision_is_stored_as_superseding_its_original_not_as_its_copy(store: Store) -> None:
    original = store.save_result(result("cp2000", "CP2000", "2024-03-04", amount="2400.00"))
    revision = store.save_result(result("cp2000-rev", "CP2000", "2024-03-04", amount="2400.00", revised=True))
    case = store.case_of_document(revision.document_id)
    assert case is not None and case.notice_count == 2 and case.id == store.case_id_of(original.document_id)
    by_id = {entry.document_id: entry for entry in case.entries}
    assert by_id[original.document_id].superseded_by == revision.document_id
    assert by_id[revision.document_id].copy_of is None and by_id[revision.document_id].revised
    queue = store.list_results(one_per_case=True)
    assert [notice.document_id for notice in queue] == [revision.document_id]
    assert store.result(revision.document_id).revised is not None


def test_a_stored_notice_listing_periods_is_in_each_periods_case_and_in_the_queue_once(store: Store) -> None:
    cp14_2022 = store.save_result(result("cp14-2022", "CP14", "2024-05-20", tax_year=2022, amount="1100.00"))
    cp14_2023 = store.save_result(result("cp14-2023", "CP14", "2024-06-03", amount="5181.72"))
    cp504 = store.save_result(listing("cp504", "CP504", "2024-08-05", {2023: "5181.72", 2022: "1200.00"}))
    spouse = store.save_result(
        listing("cp504-spouse", "CP504", "2024-08-05", {2023: "5181.72", 2022: "1200.00"}, profile_id=None)
    )
    cases = {case.key.tax_year: store.case(case.id) for case in store.list_cases()}
    assert sorted(cases) == [2022, 2023] and all(case.notice_count == 2 for case in cases.values())
    for year, first, amount in ((2022, cp14_2022, "1200.00"), (2023, cp14_2023, "5181.72")):
        entries = cases[year].entries
        assert [entry.document_id for entry in entries] == [
            first.document_id, cp504.document_id, spouse.document_id
        ]  # fmt: skip
        assert entries[1].amount_due == amount and entries[2].copy_of == cp504.document_id
        assert cases[year].stage == "CP504"
    assert store.case_id_of(cp504.document_id) == cases[2023].id  # its own period's case first
    queue = [notice.document_id for notice in store.list_results(one_per_case=True)]
    assert queue == [cp504.document_id]  # the lead of both cases, shown once
    store.replace_result(result("cp504", "CP504", "2024-08-05"), "default", "ana", "review_correct", [])
    entries = store.case(cases[2022].id).entries  # read again without the table: it left 2022
    assert cp504.document_id not in {entry.document_id for entry in entries}


def test_a_copy_without_a_profile_joins_its_originals_case(store: Store) -> None:
    first = store.save_result(result("cp14", "CP14", "2024-05-20"))
    photo = store.save_result(result("photo", "CP14", "2024-05-20", profile_id=None))
    assert store.case_id_of(photo.document_id) == store.case_id_of(first.document_id)
    assert len(store.list_cases()) == 1


def test_a_corrected_notice_moves_to_its_case_and_the_one_it_left_is_derived_again(store: Store) -> None:
    cp14 = store.save_result(result("cp14", "CP14", "2024-05-20"))
    misread = store.save_result(result("cp501", "CP501", "2024-06-24", tax_year=2021))
    assert len(store.list_cases()) == 2
    fixed = misread.model_copy(update={"fields": {**misread.fields, "tax_year": Field(value=2023)}})
    store.replace_result(fixed, "default", "ana", "review_correct", [("tax_year", 2021, 2023)])
    cases = store.list_cases()
    assert len(cases) == 1 and cases[0].notice_count == 2
    assert store.case_id_of(misread.document_id) == store.case_id_of(cp14.document_id)


def test_a_rejected_notice_closes_its_case(store: Store) -> None:
    cp14 = store.save_result(result("cp14", "CP14", "2024-05-20"))
    store.replace_result(rejected(cp14), "default", "ana", "review_reject", [])
    assert store.list_cases(status=CaseStatus.OPEN) == []
    assert store.list_cases()[0].status is CaseStatus.CLOSED


def test_another_tenants_case_is_not_found(store: Store) -> None:
    store.save_result(result("cp14", "CP14", "2024-05-20"), tenant="acme")
    assert store.list_cases() == []
    (case,) = store.list_cases("acme")
    with pytest.raises(CaseNotFound):
        store.case(case.id)
    with pytest.raises(CaseNotFound):
        store.record_case_event(case.id, "default", PLAN, dt.date(2024, 6, 1), "monthly 200.00", "ana")


def test_a_case_event_is_kept_with_the_case(store: Store) -> None:
    cp14 = store.save_result(result("cp14", "CP14", "2024-05-20"))
    case_id = store.case_id_of(cp14.document_id)
    assert case_id is not None
    detail = "monthly 200.00 for SSN 123-45-6789"
    store.record_case_event(case_id, "default", PLAN, dt.date(2024, 6, 1), detail, "ana")
    (event,) = store.case(case_id).events
    assert (event.kind, event.on, event.actor) == (PLAN, dt.date(2024, 6, 1), "ana")
    assert "123-45" not in event.detail
    with pytest.raises(DocumentNotFound):  # a dispute names a notice of this case
        store.record_case_event(case_id, "default", DISPUTE, dt.date(2024, 6, 1), "x", "ana", doc_id("other"))


def test_a_case_near_its_deadline_goes_up_a_step_that_day(store: Store) -> None:
    store.save_result(result("cp14", "CP14", "2024-05-20", deadline="2024-06-10"))
    (case,) = store.list_cases()
    assert case_for_day(case, dt.date(2024, 5, 21)).priority is Priority.NORMAL
    near = case_for_day(case, dt.date(2024, 6, 5))
    assert near.priority is Priority.HIGH and near.days_left == 5
    assert json.loads(near.model_dump_json())["key"]["profile_id"] == "client-7"


# ---- the API ----------------------------------------------------------------------------------------------


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, Store]]:
    """A client of the API (tenants acme and beta) and the store it serves."""
    opened = open_store(f"sqlite:///{tmp_path / 'home' / 'noticeflow.db'}")
    keys = SecretStr(f"acme:{ACME_KEY},beta:{BETA_KEY}")
    app = create_app(ApiSettings(home=tmp_path / "home", api_keys=keys, workers=1), opened)
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        yield client, opened
    opened.close()


def test_the_api_lists_cases_open_first_most_urgent_first_and_shows_one(
    api: tuple[TestClient, Store],
) -> None:
    client, store = api
    for notice in (
        result("cp14", "CP14", "2024-05-20", deadline="2024-06-10"),
        result("cp14-spouse", "CP14", "2024-05-20", deadline="2024-06-10"),
        result("cp504", "CP504", "2024-08-05", tax_year=2022, deadline="2024-09-04"),
        rejected(result("cp12", "CP12", "2024-04-01", tax_year=2021)),
    ):
        store.save_result(notice, tenant="acme")
    page = client.get("/v1/cases", params={"as_of": "2024-06-01"}, headers=ACME).json()
    assert [(case["stage"], case["status"]) for case in page["items"]] == [
        ("CP504", "open"), ("CP14", "open"), (None, "closed")
    ]  # fmt: skip
    assert page["items"][1]["days_left"] == 9 and page["items"][1]["notice_count"] == 1
    assert (
        client.get("/v1/cases", params={"status": "open"}, headers=ACME).json()["items"][-1]["stage"]
        == "CP14"
    )
    shown = client.get(f"/v1/cases/{page['items'][1]['id']}", headers=ACME).json()
    assert [entry["copy_of"] for entry in shown["entries"]] == [None, doc_id("cp14")]
    assert shown["entries"][0]["copies"] == [doc_id("cp14-spouse")]
    assert shown["deadline"] == "2024-06-10" and shown["key"]["profile_id"] == "client-7"


def test_another_tenants_case_is_a_404_and_a_plan_is_recorded_on_the_case(
    api: tuple[TestClient, Store],
) -> None:
    client, store = api
    store.save_result(result("cp14", "CP14", "2024-05-20"), tenant="acme")
    case_id = store.case_id_of(doc_id("cp14"), "acme")
    for answer in (
        client.get(f"/v1/cases/{case_id}", headers=BETA),
        client.post(
            f"/v1/cases/{case_id}/events", json={"kind": "payment_plan", "detail": "x"}, headers=BETA
        ),
    ):
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "case_not_found"
    assert client.get("/v1/cases", headers=BETA).json()["items"] == []
    plan = {"kind": "payment_plan", "detail": "200.00 a month from 2024-07-01", "reviewer": "ana"}
    posted = client.post(f"/v1/cases/{case_id}/events", json=plan, headers=ACME)
    assert posted.status_code == 201 and posted.json()["events"][0]["actor"] == "ana"
    assert (
        client.post(
            f"/v1/cases/{case_id}/events", json={"kind": "x", "detail": "y"}, headers=ACME
        ).status_code
        == 422
    )


# ---- the CLI ----------------------------------------------------------------------------------------------


def noticeflow(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NOTICEFLOW_HOME": str(home), "COLUMNS": "200"}
    environment.pop("NOTICEFLOW_DB_URL", None)
    command = [sys.executable, "-m", "flows.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment)


def test_the_cli_lists_shows_and_records_a_plan_for_cases(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = open_store(f"sqlite:///{home / 'noticeflow.db'}")
    for notice in (
        result("cp14", "CP14", "2024-05-20"),
        result("cp14-spouse", "CP14", "2024-05-20"),
        result("cp501", "CP501", "2024-06-24"),
    ):
        store.save_result(notice)
    case_id = store.case_id_of(doc_id("cp14"))
    listed = noticeflow(home, "cases", "list", "--as-of", "2024-07-01")
    assert listed.returncode == 0, listed.stderr
    (row,) = [line for line in listed.stdout.splitlines() if "profile client-7" in line]
    assert "CP501" in row and " 2 " in row and "open" in row
    planned = noticeflow(
        home, "cases", "plan", str(case_id), "--detail", "200.00 a month", "--on", "2024-06-01"
    )
    assert planned.returncode == 0, planned.stderr
    review = noticeflow(home, "review", "list", "--status", "processed", "--as-of", "2024-07-01")
    assert doc_id("cp14")[:10] in review.stdout and doc_id("cp14-spouse")[:10] not in review.stdout
    shown = noticeflow(home, "cases", "show", str(case_id), "--as-of", "2024-07-01")
    assert shown.returncode == 0, shown.stderr
    assert f"copy of {doc_id('cp14')[:10]}" in shown.stdout and "payment_plan" in shown.stdout
    store.close()


def test_the_cli_says_which_case_is_unknown_and_refuses_a_bad_id(tmp_path: Path) -> None:
    missing = noticeflow(tmp_path / "home", "cases", "show", "42")
    assert missing.returncode == 1 and "error [case_not_found]" in missing.stderr
    assert noticeflow(tmp_path / "home", "cases", "show", "forty-two").returncode == 2


# ---- the pages --------------------------------------------------------------------------------------------


def test_the_queue_shows_one_row_per_open_case_and_the_notice_page_its_timeline(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = open_store(f"sqlite:///{home / 'noticeflow.db'}")
    for notice in (
        result("cp14", "CP14", "2024-05-20", deadline="2024-06-10"),
        result("cp14-spouse", "CP14", "2024-05-20", deadline="2024-06-10"),
        result("cp501", "CP501", "2024-06-24", amount="5230.10", deadline="2024-07-15"),
        result("cp2000", "CP2000", "2024-03-04", tax_year=2022, deadline="2024-04-03"),
        result("cp2000-rev", "CP2000", "2024-05-06", tax_year=2022, deadline="2024-06-05"),
        rejected(result("cp12", "CP12", "2024-04-01", tax_year=2021)),
    ):
        store.save_result(notice, "acme")
    settings = ApiSettings(home=home, api_keys=SecretStr(f"acme:{ACME_KEY}"), workers=1)
    app = create_app(
        settings, store, WebSettings(session_secret=SecretStr(SECRET), as_of=dt.date(2024, 6, 1))
    )
    with TestClient(app, client=("127.0.0.1", 50000), follow_redirects=False) as client:
        assert log_in(client).status_code == 303
        queue = client.get("/").text
        rows = re.findall(
            r'href="/notices/([0-9a-f]{64})">([^<]+)<.*?class="num case-count">([^<]+)<', queue, re.S
        )
        assert rows == [(doc_id("cp2000-rev"), "CP2000", "2 notices"), (doc_id("cp14"), "CP14", "2 notices")]
        assert "of 4 notices" in text_of(queue)  # the copy and the superseded CP2000 are not counted
        page = client.get(f"/notices/{doc_id('cp501')}").text
        timeline = text_of(page[page.index('id="case"') : page.index("</section>", page.index('id="case"'))])
        assert "CP14 2024-05-20 2024-06-10 $5,181.72 1 copy" in timeline
        assert "CP14 2024-05-20 2024-06-10 $5,181.72 copy of an earlier one" in timeline
        assert "CP501 (this notice) 2024-06-24" in timeline
        superseded = text_of(client.get(f"/notices/{doc_id('cp2000')}").text)
        assert "superseded by a later notice" in superseded
    store.close()


# ---- the response route uses the case ---------------------------------------------------------------------


def case_with(store: Store, *notices: NoticeResult) -> int:
    for notice in notices:
        store.save_result(notice)
    case_id = store.case_id_of(notices[0].document_id)
    assert case_id is not None
    return case_id


@pytest.mark.parametrize("url", ["sqlite"], indirect=True)
def test_a_cp504_after_a_disputed_cp14_says_so_and_routes_to_the_dispute(store: Store) -> None:
    cp14, cp504 = result("cp14", "CP14", "2024-05-20"), result("cp504", "CP504", "2024-08-05")
    case_id = case_with(store, cp14, cp504)
    day = dt.date(2024, 8, 10)
    assert for_day(cp504, day).triage.route == "pay"
    assert route_in_case(for_day(cp504, day), store.case(case_id)).triage.route == "pay"  # nothing recorded
    store.record_case_event(
        case_id, "default", DISPUTE, dt.date(2024, 6, 3), "paid in April", "ana", cp14.document_id
    )
    routed = route_in_case(for_day(cp504, day), store.case(case_id))
    assert routed.triage.route == "dispute"
    assert routed.triage.actions[0].startswith(
        "The CP14 of May 20, 2024 in this case was disputed on June 3, 2024"
    )
    assert route_in_case(for_day(cp14, day), store.case(case_id)).triage.route == "pay"  # not its own dispute


@pytest.mark.parametrize("url", ["sqlite"], indirect=True)
def test_a_payment_plan_covers_the_reminders_dated_from_then_on(store: Store) -> None:
    cp14, cp501 = result("cp14", "CP14", "2024-05-20"), result("cp501", "CP501", "2024-06-24")
    case_id = case_with(store, cp14, cp501)
    store.record_case_event(case_id, "default", PLAN, dt.date(2024, 6, 1), "200.00 a month", "ana")
    day, case = dt.date(2024, 6, 30), store.case(case_id)
    covered = route_in_case(for_day(cp501, day), case)
    assert (
        covered.triage.route == "payment_plan"
        and "payment plan agreed on June 1, 2024" in covered.triage.actions[0]
    )
    assert route_in_case(for_day(cp14, day), case).triage.route == "pay"  # dated before the plan


def test_the_api_answers_a_notice_with_its_cases_route(api: tuple[TestClient, Store]) -> None:
    client, store = api
    for notice in (result("cp14", "CP14", "2024-05-20"), result("cp504", "CP504", "2024-08-05")):
        store.save_result(notice, tenant="acme")
    case_id = store.case_id_of(doc_id("cp14"), "acme")
    unnamed = client.post(
        f"/v1/cases/{case_id}/events", json={"kind": "dispute", "detail": "x"}, headers=ACME
    )
    assert unnamed.status_code == 422
    dispute = {
        "kind": "dispute",
        "detail": "paid in April",
        "on": "2024-06-03",
        "document_id": doc_id("cp14"),
    }
    assert client.post(f"/v1/cases/{case_id}/events", json=dispute, headers=ACME).status_code == 201
    notice = client.get(f"/v1/notices/{doc_id('cp504')}", params={"as_of": "2024-08-10"}, headers=ACME).json()
    assert (
        notice["triage"]["route"] == "dispute"
        and "was disputed on June 3, 2024" in notice["triage"]["actions"][0]
    )


def test_the_api_list_answers_each_notice_with_its_cases_route_as_the_single_read(
    api: tuple[TestClient, Store],
) -> None:
    client, store = api
    for notice in (
        result("cp14", "CP14", "2024-05-20"),
        result("cp504", "CP504", "2024-08-05"),
        result("other-cp504", "CP504", "2024-08-05", tax_year=2021, amount="310.00"),  # a case of no event
    ):
        store.save_result(notice, tenant="acme")
    case_id = store.case_id_of(doc_id("cp14"), "acme")
    dispute = {"kind": "dispute", "detail": "paid", "on": "2024-06-03", "document_id": doc_id("cp14")}
    assert client.post(f"/v1/cases/{case_id}/events", json=dispute, headers=ACME).status_code == 201
    day = {"as_of": "2024-08-10"}
    listed = client.get("/v1/notices", params=day, headers=ACME).json()["items"]
    routes = {item["document_id"]: item["triage"] for item in listed}
    assert (
        routes[doc_id("cp504")]["route"] == "dispute" and routes[doc_id("other-cp504")]["route"] != "dispute"
    )
    single = client.get(f"/v1/notices/{doc_id('cp504')}", params=day, headers=ACME).json()
    assert single["triage"] == routes[doc_id("cp504")]


def test_copies_and_superseded_notices_get_no_reminder_calendar_event_or_digest_line(store: Store) -> None:
    mail = a_year_of_mail(store)
    assert {result.document_id for result in open_results(store, "default")} == {
        mail["cp14"].document_id, mail["cp501"].document_id, mail["cp2000-rev"].document_id
    }  # fmt: skip


def test_notices_stored_before_cases_existed_are_linked_once(store: Store, db: Engine) -> None:
    mail = a_year_of_mail(store)
    store.save_result(result("bad", "CP14", "2024-05-20", status=Status.FAILED))
    with db.begin() as connection:  # as a store from before revision 0005 has them: in no case
        connection.execute(text("DELETE FROM case_notices"))
        connection.execute(text("DELETE FROM cases"))
    assert store.list_cases() == []
    assert store.link_unlinked() == len(mail)
    assert [case.notice_count for case in store.list_cases()] == [2, 2]
    assert store.case(store.list_cases()[1].id).entries[1].copy_of == mail["cp14"].document_id
    assert store.link_unlinked() == 0


def test_notices_of_one_case_saved_at_once_by_many_writers_make_one_case(url: str) -> None:
    chain = [
        result(f"n{n}", code, f"2024-0{n + 1}-05")
        for n, code in enumerate(("CP14", "CP501", "CP503", "CP504"))
    ]
    copies = [result(f"copy{n}", notice.notice_type.code, str(notice.field_value("notice_date")))
              for n, notice in enumerate(chain) if notice.notice_type]  # fmt: skip
    stores = [open_store(url) for _ in range(4)]
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(
                pool.map(
                    lambda pair: pair[0].save_result(pair[1]), zip(stores * 2, chain + copies, strict=True)
                )
            )
        (case,) = stores[0].list_cases()
        shown = stores[0].case(case.id)
        assert case.notice_count == 4 and len(shown.entries) == 8
        assert sum(1 for entry in shown.entries if entry.copy_of) == 4
    finally:
        for opened in stores:
            opened.close()


# ---- revised notices read from the generator's text layers -----------------------------------------------


@pytest.mark.parametrize("family", ["classic", "irs"])
def test_a_generated_revised_cp2000_is_read_as_revised_and_an_original_carries_no_marker(
    family: str, tmp_path: Path
) -> None:
    docs = [compose(Spec(index, 3, "CP2000", "pdf_text", "clean", family=family)) for index in range(12)]
    revised = [doc for doc in docs if doc.truth.get("revised")]
    originals = [doc for doc in docs if not doc.truth.get("revised")]
    assert revised and originals  # the generator draws both
    context = PipelineContext.default(dt.date(2027, 6, 1))
    for doc in (revised[0], originals[0]):
        path = tmp_path / doc.source
        path.write_bytes(pdf_bytes(doc.pages))
        pages = read_text_layer(path, 300)
        document = OcrDocument(pages=tuple(pages[number] for number in sorted(pages)))
        read = analyze_document("", doc.source, document, context, {})
        assert (read.revised is not None) == bool(doc.truth.get("revised")), doc.source
        assert ("revised" in read.model_dump(mode="json")) == bool(doc.truth.get("revised"))
