"""The ``cases`` commands: notices about one debt, linked (pipeline.cases; the store keeps them).

- ``cases list [--status open|closed] [--as-of DATE]``: one row per case, open first, most urgent first
  (priority and days left of that day), with the count of notices in it (copies not counted).
- ``cases show ID [--as-of DATE]``: the case's timeline (each notice with its date, deadline, amount and
  status; its copies and what superseded it) and its events.
- ``cases plan ID --detail TEXT [--on DATE]``: record a payment plan agreed for the whole case; the notices
  dated from then on route to the plan instead of paying (``pipeline.cases.route_in_case``).
- ``cases dispute ID --notice DOC --detail TEXT [--on DATE]``: record that a notice of the case was
  disputed; the case's other collection notices say so.
- ``cases link``: link the stored notices in no case yet (a store from before cases existed).
A case that is not the tenant's is ``case_not_found`` (exit 1); a bad option is ``bad_usage`` (exit 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from flows.commands import app, cli_actor, find_notice, open_configured_store, parse_as_of
from pipeline.cases import Case, CaseEntry, CaseEventKind, CaseStatus, case_for_day
from pipeline.settings import Settings

cases = typer.Typer(help="Cases: the notices about one debt, linked.", no_args_is_help=True)
app.add_typer(cases, name="cases")
console = Console(width=150)
AsOf = Annotated[str | None, typer.Option(help="Today's date for deadlines, YYYY-MM-DD.")]


@cases.command("list")
def cases_list(
    status: Annotated[CaseStatus | None, typer.Option(help="open or closed (default: both)")] = None,
    as_of: AsOf = None,
) -> None:
    """One row per case, open first, most urgent first."""
    store, today = open_configured_store(Settings()), parse_as_of(as_of)
    table = Table(title="cases")
    for column in ("id", "taxpayer", "form", "year", "stage", "notices", "priority", "deadline", "days"):
        table.add_column(column)
    table.add_column("status")
    found = store.list_cases(status=status, limit=500, as_of=today)
    for case in (case_for_day(case, today) for case in found):
        table.add_row(
            str(case.id), case.key.taxpayer, case.key.form or "—", str(case.key.tax_year or "—"),
            case.stage or "—", str(case.notice_count), case.priority.value, str(case.deadline or "—"),
            "—" if case.days_left is None else str(case.days_left), case.status.value,
        )  # fmt: skip
    console.print(table)


@cases.command("show")
def cases_show(case_id: int, as_of: AsOf = None) -> None:
    """The case's timeline, copies, superseded notices, deadline, status and events."""
    store = open_configured_store(Settings())
    case = case_for_day(store.case(case_id), parse_as_of(as_of))
    console.print(_heading(case), highlight=False)
    table = Table(title="timeline")
    for column in ("notice", "date", "deadline", "amount", "status", "id", "source", "linked"):
        table.add_column(column)
    for entry in case.entries:
        table.add_row(
            entry.code or "—", str(entry.notice_date or "—"), str(entry.deadline or "—"),
            entry.amount_due or "—", entry.status.value, entry.document_id[:10], Path(entry.source).name,
            _link(entry),
        )  # fmt: skip
    console.print(table)
    for event in case.events:
        about = f" of {event.document_id[:10]}" if event.document_id else ""
        line = f"  {event.on} {event.kind.value}{about} by {event.actor}: {event.detail}"
        console.print(line, highlight=False)


@cases.command("plan")
def cases_plan(
    case_id: int,
    detail: Annotated[str, typer.Option(help="The plan's terms.")],
    on: Annotated[str | None, typer.Option(help="The day it was agreed, YYYY-MM-DD (default today).")] = None,
) -> None:
    """Record a payment plan agreed for the case: the notices dated from then on are covered by it."""
    store = open_configured_store(Settings())
    kind = CaseEventKind.PAYMENT_PLAN
    store.record_case_event(case_id, "default", kind, parse_as_of(on), detail, cli_actor())
    console.print(f"case {case_id}: payment plan recorded", highlight=False)


@cases.command("dispute")
def cases_dispute(
    case_id: int,
    notice: Annotated[str, typer.Option(help="The document id of the notice disputed (or its start).")],
    detail: Annotated[str, typer.Option(help="What was disputed, and how.")],
    on: Annotated[str | None, typer.Option(help="The day it was sent, YYYY-MM-DD (default today).")] = None,
) -> None:
    """Record that a notice of the case was disputed: its later collection notices say so."""
    store = open_configured_store(Settings())
    document_id = find_notice(store, notice).document_id
    kind = CaseEventKind.DISPUTE
    store.record_case_event(case_id, "default", kind, parse_as_of(on), detail, cli_actor(), document_id)
    console.print(f"case {case_id}: dispute of {document_id[:10]} recorded", highlight=False)


@cases.command("link")
def cases_link() -> None:
    """Link the stored notices that are in no case yet (stored before cases existed); safe to repeat."""
    store = open_configured_store(Settings())
    console.print(f"{store.link_unlinked()} notices linked into their cases", highlight=False)


def _heading(case: Case) -> str:
    key = case.key
    days = "" if case.days_left is None else f" ({case.days_left} days left)"
    return (
        f"[bold]case {case.id}[/] {key.taxpayer}, form {key.form or '—'}, {key.tax_year or '—'}: "
        f"{case.status.value}, {case.priority.value}, deadline {case.deadline or '—'}{days}"
    )


def _link(entry: CaseEntry) -> str:
    if entry.copy_of:
        return f"copy of {entry.copy_of[:10]}"
    if entry.superseded_by:
        return f"superseded by {entry.superseded_by[:10]}"
    return ", ".join(f"copy {copy[:10]}" for copy in entry.copies)
