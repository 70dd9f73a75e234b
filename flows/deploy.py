"""Schedules: ``noticeflow deploy`` serves these Prefect deployments until stopped.

- ``inbox-sweep`` runs ``watch --once`` over the watch folder every ``NOTICEFLOW_SWEEP_INTERVAL_S`` seconds,
  each document a subflow run of the ingest service (``sweep_inbox``);
- ``mail-intake``, when ``NOTICEFLOW_IMAP_URL`` is set, takes in every mailbox's messages (flows.mail) every
  ``NOTICEFLOW_MAIL_POLL_S`` seconds;
- ``deadline-review`` runs daily on ``NOTICEFLOW_REVIEW_CRON`` in ``NOTICEFLOW_TIMEZONE``: it reads open
  notices as of today (pipeline.reminders; nothing is rewritten) and sends each new reminder to
  ``$NOTICEFLOW_HOME/reminders.jsonl`` and, when ``NOTICEFLOW_REMINDER_WEBHOOK`` is set, to that URL; then,
  when ``NOTICEFLOW_SMTP_URL`` is set, each tenant's morning digest by e-mail (flows.digest).
The flows rebuild their context from settings where they run; ``today`` is the schedule's local date. The
deployments are served on a Prefect server started for them (or the one ``PREFECT_API_URL`` names).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from flows.commands import app, open_configured_store
from flows.digest import send_digests
from flows.mailbox import MailUnavailable
from pipeline.catalog import load_catalog
from pipeline.reminders import review_deadlines
from pipeline.settings import Settings
from pipeline.store import Reminder

log = logging.getLogger("noticeflow.deploy")
DIGEST_EVERY = dt.timedelta(days=1)  # the review's cron runs daily: a notice seen since the last one is new


class ScheduleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NOTICEFLOW_", frozen=True)

    sweep_interval_s: int = Field(60, ge=5)
    review_cron: str = "0 7 * * *"
    timezone: str = "America/New_York"
    reminder_webhook: str | None = None


def send_reminders(reminders: list[Reminder], home: Path, webhook: str | None) -> None:
    """Append to reminders.jsonl; post to the webhook too (a failing webhook is logged, never fatal)."""
    import httpx  # only the scheduled job needs it, not every CLI start

    home.mkdir(parents=True, exist_ok=True)
    with (home / "reminders.jsonl").open("a") as sink:
        for reminder in reminders:
            sink.write(reminder.model_dump_json() + "\n")
    for reminder in reminders if webhook else []:
        try:
            httpx.post(str(webhook), json=reminder.model_dump(mode="json"), timeout=10).raise_for_status()
        except httpx.HTTPError as error:
            log.warning("reminder webhook failed for %s: %s", reminder.document_id, error)


def run_deadline_review(as_of: dt.date, settings: Settings, schedule: ScheduleSettings) -> list[Reminder]:
    store, catalog = open_configured_store(settings), load_catalog()
    reminders = [r for tenant in store.tenants() for r in review_deadlines(store, as_of, catalog, tenant)]
    send_reminders(reminders, settings.home, schedule.reminder_webhook)
    try:
        send_digests(store, as_of, settings, catalog, new_since=dt.datetime.now(dt.UTC) - DIGEST_EVERY)
    except MailUnavailable as error:  # like a failing webhook: logged, the reminders stand
        log.warning("morning digest: %s", error.message)
    return reminders


def sweep_inbox(settings: Settings, schedule: ScheduleSettings) -> None:
    """``watch --once`` over the watch folder for ``NOTICEFLOW_WATCH_TENANT``, each document one
    ``ingest_document`` flow run (inside the sweep's run: its subflow runs) through the ingest service."""
    from flows.orchestration import run_document
    from flows.watch import WatchOptions, watch
    from pipeline.models import Channel
    from pipeline.process import PipelineContext

    def today() -> dt.date:
        return dt.datetime.now(ZoneInfo(schedule.timezone)).date()

    store = open_configured_store(settings)
    options = WatchOptions(
        once=True, today=today, tenant=settings.watch_tenant, channel=Channel.SWEEP,
        run_document=functools.partial(run_document, store=store),
    )  # fmt: skip
    watch(settings.home / "watch", PipelineContext.default(today(), settings), store, options)


def build_deployments(settings: Settings, schedule: ScheduleSettings) -> list[object]:
    from prefect import flow
    from prefect.schedules import Cron, Interval

    @flow(name="deadline-review")
    def deadline_review() -> int:
        today = dt.datetime.now(ZoneInfo(schedule.timezone)).date()
        return len(run_deadline_review(today, Settings(), ScheduleSettings()))

    @flow(name="inbox-sweep")
    def inbox_sweep() -> None:
        sweep_inbox(Settings(), ScheduleSettings())

    @flow(name="mail-intake")
    def mail_intake() -> int:
        from collections import Counter

        from flows.mail import poll_mailboxes
        from flows.mailbox import parse_mailboxes
        from pipeline.process import PipelineContext

        current = Settings()
        context = PipelineContext.default(dt.datetime.now(ZoneInfo(schedule.timezone)).date(), current)
        store = open_configured_store(current)
        return len(poll_mailboxes(parse_mailboxes(current.imap_url), context, store, Counter()))

    deployments = [
        inbox_sweep.to_deployment(name="inbox-sweep", schedule=Interval(schedule.sweep_interval_s)),
        deadline_review.to_deployment(
            name="deadline-review", schedule=Cron(schedule.review_cron, timezone=schedule.timezone)
        ),
    ]
    if settings.imap_url:
        deployments.append(
            mail_intake.to_deployment(name="mail-intake", schedule=Interval(settings.mail_poll_s))
        )
    return deployments


@app.command()
def deploy(
    review_now: Annotated[bool, typer.Option(help="Run the deadline review once now, then serve.")] = False,
) -> None:
    """Serve the inbox sweep, the mail intake and the daily deadline review as scheduled deployments."""
    settings, schedule = Settings(), ScheduleSettings()
    if review_now:
        today = dt.datetime.now(ZoneInfo(schedule.timezone)).date()
        typer.echo(f"{len(run_deadline_review(today, settings, schedule))} new reminders")
    from flows.orchestration import prefect_api

    with prefect_api(settings, "deploy") as api:
        typer.echo(f"Prefect: PREFECT_API_URL={api.url} prefect deployment ls", err=True)
        from prefect import serve

        serve(*build_deployments(settings, schedule))  # type: ignore[arg-type]
