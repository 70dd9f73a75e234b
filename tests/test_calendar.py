"""The calendar feed (flows.calendar_routes, pipeline.deadline_feed) in-process over a seeded store: it parses
as iCalendar, has one event per open deadline, follows corrections and rejections, and its token rotates."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import icalendar
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from extractors.ssn import mask_full_ssns
from flows.api import create_app
from flows.api_keys import ApiSettings
from pipeline.models import NoticeResult
from pipeline.profiles import TaxpayerProfile
from pipeline.store import Store, open_store

ROOT = Path(__file__).parent.parent
GOLDEN = ROOT / "fixtures" / "samples" / "golden"
ACME_KEY, BETA_KEY = "acme-key-0123456789abcdef", "beta-key-0123456789abcdef"
ACME, BETA = {"X-API-Key": ACME_KEY}, {"X-API-Key": BETA_KEY}
AS_OF = "2026-03-01"
KHAL = shutil.which("khal")  # a real calendar client (Debian's khal; scripts/setup.sh installs it)
Seeded = tuple[TestClient, dict[str, NoticeResult]]


def _seed(store: Store, tenant: str, name: str) -> NoticeResult:
    result = NoticeResult.model_validate_json((GOLDEN / f"{name}.result.json").read_text())
    return store.save_result(result, tenant=tenant)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Seeded]:
    store = open_store(f"sqlite:///{tmp_path / 'home' / 'noticeflow.db'}")
    for profile in json.loads((ROOT / "fixtures" / "samples" / "profiles.json").read_text()):
        store.put_profile(TaxpayerProfile.model_validate(profile), "acme")
    names = ("notice_0001.pdf", "notice_0006.pdf", "notice_0002.pdf", "notice_0008.png", "notice_0016.pdf")
    results = {name: _seed(store, "acme", name) for name in names}
    results["beta"] = _seed(store, "beta", "notice_0011.pdf")
    keys = SecretStr(f"acme:{ACME_KEY},beta:{BETA_KEY}")
    settings = ApiSettings(
        home=tmp_path / "home", api_keys=keys, workers=2, public_url="https://nf.firm.example"
    )
    with TestClient(create_app(settings, store)) as client:
        yield client, results
    store.close()


def _token(client: TestClient, headers: dict[str, str]) -> str:
    answer = client.post("/v1/calendar/token", headers=headers)
    assert answer.status_code == 201
    assert answer.json()["url"].startswith("https://nf.firm.example/v1/calendar.ics?token=")
    return str(answer.json()["token"])


def _feed(client: TestClient, token: str) -> httpx.Response:
    answer = client.get("/v1/calendar.ics", params={"token": token, "as_of": AS_OF})
    assert answer.status_code == 200, answer.text
    return answer


def _events(client: TestClient, token: str) -> dict[str, icalendar.Event]:
    answer = _feed(client, token)
    assert answer.headers["content-type"].startswith("text/calendar")
    assert mask_full_ssns(answer.text) == answer.text
    calendar = icalendar.Calendar.from_ical(answer.content)
    assert calendar["version"] == "2.0" and calendar["prodid"]
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_one_event_per_open_deadline_with_client_amount_route_link_and_alarms(seeded: Seeded) -> None:
    client, results = seeded
    events = _events(client, _token(client, ACME))
    with_deadline = ("notice_0001.pdf", "notice_0006.pdf", "notice_0002.pdf", "notice_0016.pdf")
    assert set(events) == {f"{results[name].document_id}@noticeflow" for name in with_deadline}
    event = events[f"{results['notice_0006.pdf'].document_id}@noticeflow"]
    assert event.decoded("dtstart") == dt.date(2026, 5, 17) and event.decoded("dtend") == dt.date(2026, 5, 18)
    assert event["summary"] == "CP90 deadline: Mark Dunmore (SSN ending 7917), $12928.09 due"
    description = str(event["description"])
    assert "Route: " in description and "Amount due: $12928.09" in description
    assert f"https://nf.firm.example/notices/{results['notice_0006.pdf'].document_id}" in description
    assert [alarm.decoded("trigger") for alarm in event.walk("VALARM")] == [
        dt.timedelta(-7),
        dt.timedelta(-1),
    ]
    assert int(event["sequence"]) == 0


def test_a_corrected_deadline_moves_its_event_and_a_rejected_notice_leaves_the_feed(seeded: Seeded) -> None:
    client, results = seeded
    token = _token(client, ACME)
    corrected, rejected = results["notice_0006.pdf"].document_id, results["notice_0016.pdf"].document_id
    review = {"decision": "correct", "fields": {"deadline": "2026-06-01"}}
    assert client.post(f"/v1/notices/{corrected}/review", json=review, headers=ACME).status_code == 200
    reject = {"decision": "reject", "reason": "a scam letter"}
    assert client.post(f"/v1/notices/{rejected}/review", json=reject, headers=ACME).status_code == 200
    events = _events(client, token)
    moved = events[f"{corrected}@noticeflow"]
    assert moved.decoded("dtstart") == dt.date(2026, 6, 1) and int(moved["sequence"]) == 1
    assert f"{rejected}@noticeflow" not in events
    assert len(events) == 3


def test_a_token_sees_its_own_tenant_only_and_rotating_retires_the_old_one(seeded: Seeded) -> None:
    client, results = seeded
    old = _token(client, ACME)
    beta = _events(client, _token(client, BETA))
    assert set(beta) == {f"{results['beta'].document_id}@noticeflow"}
    new = _token(client, ACME)
    refused = client.get("/v1/calendar.ics", params={"token": old})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "invalid_calendar_token"
    assert len(_events(client, new)) == 4
    assert client.post("/v1/calendar/token").status_code == 401  # rotating needs the tenant's key


def _khal(config: Path, *arguments: str) -> str:
    command = [str(KHAL), "-c", str(config), *arguments]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60).stdout


def _khal_config(folder: Path) -> Path:
    (folder / "calendar").mkdir(parents=True)
    config = folder / "khal.conf"
    config.write_text(
        f"[calendars]\n[[notices]]\npath = {folder / 'calendar'}\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        f"[sqlite]\npath = {folder / 'khal.db'}\n"
    )
    return config


@pytest.mark.skipif(KHAL is None, reason="khal (a calendar client) is not installed: apt-get install khal")
def test_a_real_calendar_client_imports_the_feed_and_its_update(seeded: Seeded, tmp_path: Path) -> None:
    client, results = seeded
    token, config = _token(client, ACME), _khal_config(tmp_path / "khal")
    (tmp_path / "feed.ics").write_bytes(_feed(client, token).content)
    _khal(config, "import", "--batch", str(tmp_path / "feed.ics"))
    listed = _khal(config, "list", "2026-01-01", "2026-12-31")
    assert "2026-05-17" in listed and "CP90 deadline: Mark Dunmore (SSN ending 7917)" in listed
    corrected = results["notice_0006.pdf"].document_id
    review = {"decision": "correct", "fields": {"deadline": "2026-06-01"}}
    assert client.post(f"/v1/notices/{corrected}/review", json=review, headers=ACME).status_code == 200
    (tmp_path / "feed.ics").write_bytes(_feed(client, token).content)
    _khal(config, "import", "--batch", str(tmp_path / "feed.ics"))
    listed = _khal(config, "list", "2026-01-01", "2026-12-31")
    assert "2026-06-01" in listed and "2026-05-17" not in listed
