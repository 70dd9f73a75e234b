"""The ``noticeflow`` command line: a thin layer over the pipeline, the store and the flows.

``noticeflow ingest PATH... [--json] [--profiles FILE] [--as-of YYYY-MM-DD] [--workers N]`` follows the CLI
contract of DESIGN.md: with ``--json`` exactly one JSON object per input document per line on stdout, logs
on stderr; exit 0 when every document produced a result, 1 when any failed, 2 on bad usage. Results are
kept in the store (``$NOTICEFLOW_HOME/noticeflow.db`` or ``NOTICEFLOW_DB_URL``); the same bytes ingested
again come back as ``duplicate``. A one-shot call runs the pipeline in-process (a Prefect server start would
cost more than the OCR); with ``--orchestrate`` each document is a Prefect flow run of the same ingest
service (on the server ``PREFECT_API_URL`` names, else one started for the call). The services (``serve``,
``watch``, the sweep) orchestrate by default (flows.orchestration). Other commands: ``letter``, ``review``,
``profiles``, ``watch``, ``deploy``, ``serve``, ``mail``, ``pool register`` / ``pool submit``.
Errors become exit codes here, in ``main``, and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from extractors.ssn import mask_full_ssns
from flows.commands import app, open_configured_store, parse_as_of
from pipeline.errors import InternalError, NoticeflowError, StoreUnavailable
from pipeline.models import Channel, NoticeResult, Status
from pipeline.process import PipelineContext, failed_result, process_batch, process_document
from pipeline.profiles import TaxpayerProfile, load_profiles
from pipeline.settings import Settings
from pipeline.triage import for_day

if TYPE_CHECKING:
    from pipeline.ingest import Incoming
    from pipeline.store import Store

_NOT_DOCUMENTS = {".json", ".jsonl", ".md", ".txt"}


def collect_documents(paths: list[Path]) -> list[Path]:
    """Files as given; folders expanded to their files (sorted, recursive), skipping hidden files and
    the JSON/text files that sit beside documents (truth, results, profiles)."""
    documents: list[Path] = []
    for path in paths:
        if path.is_dir():
            documents += sorted(
                p for p in path.rglob("*")
                if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in _NOT_DOCUMENTS
            )  # fmt: skip
        else:
            documents.append(path)
    return documents


def print_table(results: list[NoticeResult]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="noticeflow results")
    for column in ("source", "status", "notice", "tax year", "SSN", "amount due", "deadline", "notice date",
                   "priority", "scam"):  # fmt: skip
        table.add_column(column)
    for notice in (notice for result in results for notice in result.children or (result,)):  # a row a notice
        deadline = notice.fields.get("deadline")
        kind = f" ({deadline.kind})" if deadline and deadline.kind in ("computed", "published") else ""
        row = [notice.field_value(name) for name in ("notice_number", "tax_year", "ssn_last4", "amount_due")]
        pages = f" p{notice.page_range[0]}-{notice.page_range[1]}" if notice.page_range else ""
        name = Path(notice.source).name + pages
        table.add_row(
            name, notice.status.value, *("—" if v is None else str(v) for v in row),
            f"{notice.field_value('deadline') or '—'}{kind}", str(notice.field_value("notice_date") or "—"),
            notice.triage.priority.value, notice.scam.risk.value,
        )  # fmt: skip
    console = Console(width=max(150, Console().width))
    console.print(table)
    for result in results:
        error = f"[{result.error.code}] {result.error.message}" if result.error else ""
        for why in filter(None, (error, "; ".join(result.review_reasons), *result.notes)):
            console.print(f"[bold]{escape(Path(result.source).name)}[/]: {escape(why)}", highlight=False)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Notice files (PDF, PNG, JPEG, TIFF) or folders.")],
    json_lines: Annotated[
        bool, typer.Option("--json", help="One JSON result per document per line.")
    ] = False,
    profiles: Annotated[
        Path | None, typer.Option(help="Taxpayer profiles (JSON array or object); default: the stored ones.")
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="Today's date for deadlines, YYYY-MM-DD.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Pages OCR'd at once (default: cores).")] = None,
    orchestrate: Annotated[
        bool,
        typer.Option(help="Each document a Prefect flow run (on PREFECT_API_URL, else a server of its own)."),
    ] = False,
    reprocess: Annotated[
        bool, typer.Option(help="Read stored documents again and store the new reading as a new version.")
    ] = False,
) -> None:
    """Read notices, store them, and print one result per document."""
    documents = collect_documents(paths)
    if not documents:
        raise typer.BadParameter("no documents found", param_hint="PATH")
    if reprocess and orchestrate:
        raise typer.BadParameter("--reprocess reads in this process; leave out --orchestrate")
    settings = Settings() if workers is None else Settings(workers=workers)
    given_profiles = load_profiles(profiles) if profiles else None
    day = parse_as_of(as_of)
    results = _read_all(documents, day, settings, given_profiles, reprocess, orchestrate)
    from pipeline.ingest import note_unapplied  # the store's SQLAlchemy loads once a document is read

    unapplied = [name for name, value in (("--profiles", profiles), ("--as-of", as_of)) if value is not None]
    printed = []
    for read in results:
        result = note_unapplied(for_day(read, day), unapplied)  # a duplicate was stored on another day
        printed.append(result)
        if json_lines:
            sys.stdout.write(result.model_dump_json() + "\n")
            sys.stdout.flush()
    if not json_lines:
        print_table(printed)
    raise typer.Exit(1 if any(r.status is Status.FAILED for r in printed) else 0)


def _read_all(
    documents: list[Path],
    as_of: dt.date,
    settings: Settings,
    profiles: tuple[TaxpayerProfile, ...] | None,
    reprocess: bool,
    orchestrate: bool,
) -> Iterator[NoticeResult]:
    """Each document through the ingest service, in input order: in this process, or each a Prefect flow
    run. Without ``profiles`` the stored ones are matched. A store that cannot be reached fails each
    document it was needed for with the store's code; the batch goes on."""
    from pipeline import ingest

    incoming = [ingest.Incoming(path, str(path), Channel.CLI) for path in documents]
    try:
        store, context = _store_and_context(as_of, settings, profiles)
    except StoreUnavailable as error:
        yield from (failed_result(item.path, item.name, error, {}) for item in incoming)
        return
    if orchestrate:
        yield from _run_as_flows(incoming, context, store)
    else:
        yield from _run_in_process(incoming, context, store, reprocess)


def _run_in_process(
    incoming: list[Incoming], context: PipelineContext, store: Store, reprocess: bool
) -> Iterator[NoticeResult]:
    """The documents not yet stored (all with ``reprocess``) read in one batch that overlaps them over
    every core, each through the ingest service's steps."""
    from pipeline import ingest

    known = [None if reprocess else _admitted(item, store) for item in incoming]
    to_read = [item for item, stored in zip(incoming, known, strict=True) if stored is None]
    with process_batch([item.path for item in to_read], context) as results:
        for item, stored in zip(incoming, known, strict=True):
            if stored is not None:
                yield stored
                continue
            read = ingest.read_with_retries(item, context, process_document, first=next(results))
            start = time.perf_counter()
            result = ingest.commit_or_failed(item, read, context, store, replace=reprocess)
            yield result.model_copy(update={"timings": {**result.timings, "store": _since(start)}})


def _store_and_context(
    as_of: dt.date, settings: Settings, profiles: tuple[TaxpayerProfile, ...] | None
) -> tuple[Store, PipelineContext]:
    """The configured store, with the given profiles kept (letters and reviews find the one a notice
    matched), and the context that matches them, or the stored ones when none are given."""
    store = open_configured_store(settings)
    for profile in profiles or ():
        store.put_profile(profile)
    matched = store.list_profiles() if profiles is None else profiles
    return store, PipelineContext.default(as_of, settings, tuple(matched))


def _admitted(item: Incoming, store: Store) -> NoticeResult | None:
    """The stored duplicate, None to read it; a store that cannot answer fails the document."""
    from pipeline import ingest

    try:
        return ingest.admit(item, store)
    except StoreUnavailable as error:
        return failed_result(item.path, item.name, error, {})


def _since(start: float) -> float:
    return round(time.perf_counter() - start, 4)


def _run_as_flows(incoming: list[Incoming], context: PipelineContext, store: Store) -> Iterator[NoticeResult]:
    """Each document as one Prefect flow run of the ingest service (flows.orchestration), on the server
    ``PREFECT_API_URL`` names or one started for this call."""
    from flows.orchestration import prefect_api, run_document

    with prefect_api(context.settings, "ingest"):
        for item in incoming:
            try:
                yield run_document(item, context, store)
            except StoreUnavailable as error:
                yield failed_result(item.path, item.name, error, {})


def main() -> None:
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    register_commands(sys.argv[1:])
    try:
        code = app(standalone_mode=False)
    except Exception as error:  # noqa: BLE001 (every error ends as one coded line; see report_error)
        sys.exit(report_error(error))
    sys.exit(code or 0)


def report_error(error: Exception) -> int:
    """The one place a CLI error becomes its line on stderr, ``error [code]: message``, and its exit code:
    a noticeflow error's own (pipeline.errors), 2 for bad usage, 1 for an interrupted command; anything
    else is a bug, ``internal_error`` (exit 1), its traceback in the log at debug level."""
    if isinstance(error, NoticeflowError):
        code, message, exit_code = error.code, error.message, error.exit_code
    elif isinstance(error, typer.Abort):
        code, message, exit_code = "interrupted", "stopped before it finished", 1
    elif isinstance(error, typer.TyperException):  # bad usage (Typer's copy of click's UsageError family)
        message = getattr(error, "format_message", error.__str__)()
        code, exit_code = "bad_usage", getattr(error, "exit_code", 2)
    else:
        logging.getLogger(__name__).debug("unexpected error", exc_info=error)
        code, message, exit_code = InternalError.code, f"unexpected {type(error).__name__}: {error}", 1
    print(f"error [{code}]: {mask_full_ssns(message)}", file=sys.stderr)
    return int(exit_code)


# The other commands register themselves on ``app`` when their module is imported. Only the module a call
# needs is imported (all of them for help), so ``ingest`` starts reading pages without loading FastAPI, the
# review and scheduling code, or the store before it needs it.
_COMMAND_MODULES = {
    "review": "flows.review_cli",
    "cases": "flows.cases_cli",
    "letter": "flows.review_cli",
    "profiles": "flows.review_cli",
    "watch": "flows.review_cli",
    "deploy": "flows.deploy",
    "pool": "flows.pool",
    "serve": "flows.serve_cli",
    "mail": "flows.mail",
}


def register_commands(argv: list[str]) -> None:
    """Import the command modules that ``argv`` (the arguments after the program name) may call."""
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    if command == "ingest":
        return
    wanted = [_COMMAND_MODULES[command]] if command in _COMMAND_MODULES else _COMMAND_MODULES.values()
    for module in sorted(set(wanted)):
        importlib.import_module(module)


if __name__ == "__main__":
    main()
