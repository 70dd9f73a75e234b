"""The daily deadline review: priorities recomputed, reminders written once a day, sent on."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from flows.deploy import ScheduleSettings, build_deployments, run_deadline_review
from pipeline.catalog import load_catalog
from pipeline.models import NoticeResult, Priority
from pipeline.reminders import review_deadlines
from pipeline.settings import Settings
from pipeline.store import ReminderKind, Store, open_store
from pipeline.triage import for_day

GOLDEN = Path(__file__).parent.parent / "fixtures" / "samples" / "golden"


def _stored(store: Store, name: str) -> NoticeResult:
    result = NoticeResult.model_validate_json((GOLDEN / f"{name}.result.json").read_text())
    return store.save_result(result)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'store.db'}")


def test_due_soon_then_overdue_with_priority_raised(store: Store) -> None:
    result = _stored(store, "notice_0011.pdf")  # CP503, deadline 2024-11-27
    soon = review_deadlines(store, dt.date(2024, 11, 22), load_catalog())
    assert [(r.kind, r.due) for r in soon] == [(ReminderKind.DUE_SOON, dt.date(2024, 11, 27))]
    assert "5 days left" in soon[0].message
    assert review_deadlines(store, dt.date(2024, 11, 22), load_catalog()) == []  # once a day
    late = review_deadlines(store, dt.date(2024, 12, 2), load_catalog())
    assert [r.kind for r in late] == [ReminderKind.OVERDUE]
    assert "passed 5 days ago" in late[0].message
    read = for_day(store.result(result.document_id), dt.date(2024, 12, 2))
    assert (read.triage.days_left, read.triage.priority) == (-5, Priority.HIGH)  # normal, one step up


def test_daily_reviews_of_an_unchanged_notice_write_nothing(store: Store) -> None:
    result = _stored(store, "notice_0011.pdf")  # CP503, deadline 2024-11-27
    written = store.audit_log(result.document_id)
    days = [dt.date(2024, 11, 20) + dt.timedelta(days=n) for n in range(5)]  # due soon from the 20th
    reminders = [review_deadlines(store, day, load_catalog()) for day in days]
    assert [len(sent) for sent in reminders] == [1, 1, 1, 1, 1]  # still one reminder a day
    assert store.history(result.document_id) == [result]  # one version: the one saved
    assert store.audit_log(result.document_id) == written
    assert store.result(result.document_id) == result


def test_far_deadline_gives_no_reminder(store: Store) -> None:
    _stored(store, "notice_0011.pdf")
    assert review_deadlines(store, dt.date(2024, 11, 7), load_catalog()) == []


def test_reminders_go_to_the_jsonl_file(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    _stored(_home_store(settings), "notice_0011.pdf")
    sent = run_deadline_review(dt.date(2024, 11, 25), settings, ScheduleSettings())
    lines = (settings.home / "reminders.jsonl").read_text().splitlines()
    assert len(sent) == len(lines) == 1 and json.loads(lines[0])["kind"] == "due_soon"


def _home_store(settings: Settings) -> Store:
    settings.home.mkdir(parents=True)
    return open_store(settings.database_url)


def test_deployments_carry_their_schedules() -> None:
    schedule = ScheduleSettings(sweep_interval_s=30, review_cron="0 6 * * *", timezone="America/Chicago")
    sweep, review = build_deployments(Settings(), schedule)
    assert sweep.name == "inbox-sweep" and review.name == "deadline-review"  # type: ignore[attr-defined]
    cron = review.schedules[0].schedule  # type: ignore[attr-defined]
    assert (cron.cron, cron.timezone) == ("0 6 * * *", "America/Chicago")
    assert sweep.schedules[0].schedule.interval == dt.timedelta(seconds=30)  # type: ignore[attr-defined]


def test_mail_intake_is_deployed_beside_the_sweep_when_a_mailbox_is_set() -> None:
    settings = Settings(imap_url="imaps://me:pw@mail.firm.com/INBOX", mail_poll_s=120)
    names = {d.name: d for d in build_deployments(settings, ScheduleSettings())}  # type: ignore[attr-defined]
    assert set(names) == {"inbox-sweep", "deadline-review", "mail-intake"}
    interval = names["mail-intake"].schedules[0].schedule.interval  # type: ignore[attr-defined]
    assert interval == dt.timedelta(seconds=120)
