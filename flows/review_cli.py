"""Commands over the store: ``review``, ``profiles``, ``letter``, and the folder ``watch``.

- ``review list [--status] [--priority] [--due-before DATE] [--as-of DATE]``, ``review show ID [--as-of
  DATE]`` (priority and days left of that day, today by default), ``review accept ID``,
  ``review correct ID field=value ...``, ``review reject ID --reason TEXT`` (pipeline.review rules).
- ``profiles import FILE``, ``profiles list``: profiles kept in the store, used by the watcher and the API.
- ``letter ID --agree [--plan monthly=AMOUNT] | --disagree --reason TEXT --attach FILE...``: a draft reply.
- ``watch [ROOT] [--once]``: ROOT/inbox in, ROOT/processed or ROOT/failed out (flows.watch).
A document id may be given by its first characters, as with git commits.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from flows.commands import app, cli_actor, find_notice, open_configured_store, parse_as_of
from pipeline.cases import route_in_case
from pipeline.catalog import load_catalog
from pipeline.errors import BadCorrection
from pipeline.letter import Stance, draft_letter
from pipeline.profiles import load_profiles
from pipeline.review import accept_result, correct_result, reject_result
from pipeline.settings import Settings
from pipeline.triage import for_day

review = typer.Typer(help="The review queue: list, show, accept, correct, reject.", no_args_is_help=True)
profiles = typer.Typer(help="Taxpayer profiles kept in the store.", no_args_is_help=True)
app.add_typer(review, name="review")
app.add_typer(profiles, name="profiles")
console = Console(width=150)
AsOf = Annotated[str | None, typer.Option(help="Today's date for deadlines, YYYY-MM-DD.")]


@review.command("list")
def review_list(
    status: Annotated[str | None, typer.Option(help="processed, needs_review, failed")] = "needs_review",
    priority: Annotated[str | None, typer.Option(help="critical, high, normal, low")] = None,
    due_before: Annotated[str | None, typer.Option(help="Deadline before YYYY-MM-DD.")] = None,
    as_of: AsOf = None,
) -> None:
    """The queue, most urgent first (status needs_review unless --status says otherwise); copies and
    superseded notices are left out (``cases show`` lists them with their case)."""
    store = open_configured_store(Settings())
    due, today = parse_as_of(due_before) if due_before else None, parse_as_of(as_of)
    table = Table(title="review queue")
    for column in ("id", "source", "notice", "priority", "deadline", "amount due", "status", "scam", "why"):
        table.add_column(column)
    found = store.list_results(
        status=status or None, priority=priority, due_before=due, limit=500, as_of=today, without_linked=True
    )
    for result in (for_day(stored, today) for stored in found):
        table.add_row(
            result.document_id[:10], Path(result.source).name,
            str(result.field_value("notice_number") or "—"),
            result.triage.priority.value, str(result.field_value("deadline") or "—"),
            str(result.field_value("amount_due") or "—"), result.status.value, result.scam.risk.value,
            "; ".join(result.review_reasons)[:80],
        )  # fmt: skip
    console.print(table)


@review.command("show")
def review_show(document_id: str, as_of: AsOf = None) -> None:
    """Fields with confidence and provenance, validation, triage, scam signals and the audit trail."""
    store = open_configured_store(Settings())
    stored = find_notice(store, document_id)
    result = route_in_case(for_day(stored, parse_as_of(as_of)), store.case_of_document(stored.document_id))
    console.print(
        f"[bold]{result.source}[/] {result.document_id}\nstatus {result.status.value}", highlight=False
    )
    for reason in result.review_reasons:
        console.print(f"  needs review: {reason}", highlight=False)
    fields = Table(title="fields")
    for column in ("field", "value", "confidence", "page", "rule", "raw"):
        fields.add_column(column)
    for name, field in result.fields.items():
        fields.add_row(
            name, str(field.value), f"{field.confidence:.2f}", str(field.page or ""), field.rule or "",
            field.raw or "",
        )  # fmt: skip
    console.print(fields)
    for check in result.validation.checks:
        console.print(f"  check {check.name}: {check.status.value} — {check.detail}", highlight=False)
    console.print(f"triage: {result.triage.model_dump_json(indent=1)}", highlight=False)
    console.print(f"scam: {result.scam.model_dump_json(indent=1)}", highlight=False)
    for entry in store.audit_log(result.document_id):
        console.print(f"  audit {entry.model_dump_json()}", highlight=False)


@review.command("accept")
def review_accept(
    document_id: str,
    reason: Annotated[
        str | None, typer.Option(help="What you verified; needed for a scam hold or a failed check.")
    ] = None,
) -> None:
    """Confirm every value: the notice becomes processed."""
    store = open_configured_store(Settings())
    found = find_notice(store, document_id)
    result = accept_result(store, found.document_id, actor=cli_actor(), reason=reason)
    console.print(f"{result.document_id[:10]} {result.status.value}")


@review.command("correct")
def review_correct(
    document_id: str,
    corrections: Annotated[list[str], typer.Argument(help="field=value, e.g. amount_due=5181.72")],
    as_of: Annotated[str | None, typer.Option(help="Today's date for deadlines, YYYY-MM-DD.")] = None,
) -> None:
    """Correct fields; validation and triage run again with the corrected values."""
    pairs = [item.partition("=") for item in corrections]
    if any(not sep for _, sep, _ in pairs):
        raise BadCorrection("write each correction as field=value")
    settings = Settings()
    store = open_configured_store(settings)
    result = correct_result(
        store, find_notice(store, document_id).document_id, {name: value for name, _, value in pairs},
        actor=cli_actor(), catalog=load_catalog(), as_of=parse_as_of(as_of),
        min_confidence=settings.min_confidence,
    )  # fmt: skip
    console.print(f"{result.document_id[:10]} {result.status.value}, priority {result.triage.priority.value}")
    for reason in result.review_reasons:
        console.print(f"  needs review: {reason}", highlight=False)


@review.command("reject")
def review_reject(document_id: str, reason: Annotated[str, typer.Option(help="Why it is rejected.")]) -> None:
    """Keep the notice out of processed, with the reason."""
    store = open_configured_store(Settings())
    result = reject_result(store, find_notice(store, document_id).document_id, reason, actor=cli_actor())
    console.print(f"{result.document_id[:10]} rejected")


@profiles.command("import")
def profiles_import(path: Path) -> None:
    """Add or replace the profiles in a JSON file (array or one object)."""
    store = open_configured_store(Settings())
    loaded = load_profiles(path)
    for profile in loaded:
        store.put_profile(profile)
    console.print(f"{len(loaded)} profiles stored")


@profiles.command("list")
def profiles_list() -> None:
    store = open_configured_store(Settings())
    for profile in store.list_profiles():
        console.print(json.dumps(profile.model_dump(mode="json")), highlight=False)


def _monthly(plan: str | None) -> Decimal | None:
    if plan is None:
        return None
    key, _, amount = plan.partition("=")
    try:
        if key != "monthly":
            raise InvalidOperation
        return Decimal(amount)
    except InvalidOperation:
        raise typer.BadParameter("write the plan as monthly=AMOUNT", param_hint="--plan") from None


@app.command()
def letter(
    document_id: str,
    agree: Annotated[bool, typer.Option("--agree", help="Agree with the notice.")] = False,
    disagree: Annotated[bool, typer.Option("--disagree", help="Disagree with the notice.")] = False,
    reason: Annotated[str | None, typer.Option(help="Why you disagree.")] = None,
    attach: Annotated[list[str] | None, typer.Option(help="A document to enclose (repeat).")] = None,
    plan: Annotated[str | None, typer.Option(help="Ask for a payment plan: monthly=AMOUNT.")] = None,
) -> None:
    """Print a draft reply to a stored notice."""
    if agree == disagree:
        raise typer.BadParameter("say --agree or --disagree")
    if disagree and not reason:
        raise typer.BadParameter("--disagree needs --reason")
    store = open_configured_store(Settings())
    result = find_notice(store, document_id)
    profile = store.get_profile(result.profile_id) if result.profile_id else None
    stance = Stance.AGREE if agree else Stance.DISAGREE
    typer.echo(draft_letter(result, profile, stance, reason, attach or [], _monthly(plan)))


@app.command()
def watch(
    root: Annotated[
        Path | None, typer.Argument(help="Folder with inbox/ (default $NOTICEFLOW_HOME/watch).")
    ] = None,
    once: Annotated[bool, typer.Option(help="Sweep the inbox once, then stop.")] = False,
    settle: Annotated[
        float, typer.Option(help="Seconds a file must stay unchanged before it is taken.")
    ] = 2.0,
    as_of: Annotated[str | None, typer.Option(help="Today's date for deadlines, YYYY-MM-DD.")] = None,
    orchestrate: Annotated[
        bool,
        typer.Option(help="Each document a Prefect flow run on a server started once (or PREFECT_API_URL)."),
    ] = True,
) -> None:
    """Watch ROOT/inbox; results go to ROOT/processed, unreadable files to ROOT/failed."""
    from flows.watch import WatchOptions
    from flows.watch import watch as run_watch
    from pipeline.process import PipelineContext

    settings = Settings()
    store = open_configured_store(settings)
    fixed_day = parse_as_of(as_of)
    today = (lambda: fixed_day) if as_of else dt.date.today
    options = WatchOptions(settle_s=settle, once=once, tenant=settings.watch_tenant, today=today)
    context = PipelineContext.default(fixed_day, settings)
    with contextlib.ExitStack() as stack:
        if orchestrate:
            from flows.orchestration import prefect_api, run_document

            api = stack.enter_context(prefect_api(settings, "watch"))
            typer.echo(f"Prefect: PREFECT_API_URL={api.url} prefect flow-run ls", err=True)
            options = dataclasses.replace(options, run_document=functools.partial(run_document, store=store))
        run_watch(root or settings.home / "watch", context, store, options)
