"""The ``noticeflow`` command line: a thin layer over the pipeline, the store and the flows.

``noticeflow ingest PATH... [--json] [--profiles FILE] [--as-of YYYY-MM-DD] [--workers N]`` follows the CLI
contract of DESIGN.md: with ``--json`` exactly one JSON object per input document per line on stdout, logs
on stderr; exit 0 when every document produced a result, 1 when any failed, 2 on bad usage. Results are
kept in the store (``$NOTICEFLOW_HOME/noticeflow.db`` or ``NOTICEFLOW_DB_URL``); the same bytes ingested
again come back as ``duplicate``. A one-shot call runs the pipeline in-process (a Prefect server start would
cost more than the OCR); with ``--orchestrate`` each document is a
Prefect flow run of the same ingest service (on the server ``PREFECT_API_URL`` names, else one started for
the call: flows.orchestration). The services (``serve``, ``watch``) orchestrate by
default (flows.orchestration). Other commands: ``letter``, ``review``, ``profiles``, ``watch``, ``deploy``,
``serve``, ``pool register`` / ``pool submit``, ``mail``.
Errors become exit codes here, in ``main``, and nowhere else.
"""

from __future__ import annotations

import importlib
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from flows.commands import app, open_configured_store, parse_as_of
from pipeline.errors import NoticeflowError
from pipeline.models import Channel, NoticeResult, Status
from pipeline.process import PipelineContext
from pipeline.profiles import load_profiles
from pipeline.settings import Settings
from pipeline.triage import for_day

if TYPE_CHECKING:
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
    from rich.table import Table

    table = Table(title="noticeflow results")
    for column in ("source", "status", "notice", "tax year", "SSN", "amount due", "deadline", "notice date",
                   "priority", "scam"):  # fmt: skip
        table.add_column(column)
    for result in results:
        deadline = result.fields.get("deadline")
        kind = " (computed)" if deadline and deadline.kind == "computed" else ""
        row = [result.field_value(name) for name in ("notice_number", "tax_year", "ssn_last4", "amount_due")]
        table.add_row(
            Path(result.source).name, result.status.value, *("—" if v is None else str(v) for v in row),
            f"{result.field_value('deadline') or '—'}{kind}", str(result.field_value("notice_date") or "—"),
            result.triage.priority.value, result.scam.risk.value,
        )  # fmt: skip
    console = Console(width=max(150, Console().width))
    console.print(table)
    for result in results:
        if result.review_reasons or result.error:
            why = result.error.message if result.error else "; ".join(result.review_reasons)
            console.print(f"[bold]{Path(result.source).name}[/]: {why}", highlight=False)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Notice files (PDF, PNG, JPEG, TIFF) or folders.")],
    json_lines: Annotated[
        bool, typer.Option("--json", help="One JSON result per document per line.")
    ] = False,
    profiles: Annotated[Path | None, typer.Option(help="Taxpayer profiles (JSON array or object).")] = None,
    as_of: Annotated[str | None, typer.Option(help="Today's date for deadlines, YYYY-MM-DD.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Pages OCR'd at once (default: cores).")] = None,
    orchestrate: Annotated[
        bool,
        typer.Option(help="Each document a Prefect flow run (on PREFECT_API_URL, else a server of its own)."),
    ] = False,
) -> None:
    """Read notices, store them, and print one result per document."""
    documents = collect_documents(paths)
    if not documents:
        raise typer.BadParameter("no documents found", param_hint="PATH")
    settings = Settings() if workers is None else Settings(workers=workers)
    loaded_profiles = load_profiles(profiles) if profiles else ()
    context = PipelineContext.default(parse_as_of(as_of), settings, loaded_profiles)
    results = (_run_as_flows if orchestrate else _run_in_process)(documents, context)
    printed = []
    for read in results:
        result = for_day(read, context.as_of)  # a duplicate was stored on another day
        printed.append(result)
        if json_lines:
            sys.stdout.write(result.model_dump_json() + "\n")
            sys.stdout.flush()
    if not json_lines:
        print_table(printed)
    raise typer.Exit(1 if any(r.status is Status.FAILED for r in printed) else 0)


def _run_in_process(documents: list[Path], context: PipelineContext) -> Iterator[NoticeResult]:
    """Each document through the ingest service's steps; the ones not yet stored read in one batch that
    overlaps them over every core, and yielded in input order."""
    from pipeline import ingest
    from pipeline.process import process_batch, process_document

    store = _store_with_profiles(context)
    incoming = [ingest.Incoming(path, str(path), Channel.CLI) for path in documents]
    known = [ingest.admit(item, store) for item in incoming]
    to_read = [item for item, stored in zip(incoming, known, strict=True) if stored is None]
    with process_batch([item.path for item in to_read], context) as results:
        for item, stored in zip(incoming, known, strict=True):
            if stored is not None:
                yield stored
                continue
            read = ingest.read_with_retries(item, context, process_document, first=next(results))
            start = time.perf_counter()
            result = ingest.commit(item, read, context, store)
            yield result.model_copy(update={"timings": {**result.timings, "store": _since(start)}})


def _store_with_profiles(context: PipelineContext) -> Store:
    """The configured store, with the given profiles kept: letters and reviews find the one matched."""
    store = open_configured_store(context.settings)
    for profile in context.profiles:
        store.put_profile(profile)
    return store


def _since(start: float) -> float:
    return round(time.perf_counter() - start, 4)


def _run_as_flows(documents: list[Path], context: PipelineContext) -> Iterator[NoticeResult]:
    """Each document through the ingest service as one Prefect flow run (flows.orchestration), on the
    server ``PREFECT_API_URL`` names or one started for this call."""
    from flows.orchestration import prefect_api, run_document
    from pipeline import ingest

    store = _store_with_profiles(context)
    with prefect_api(context.settings, "ingest"):
        for path in documents:
            yield run_document(ingest.Incoming(path, str(path), Channel.CLI), context, store)


def main() -> None:
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    register_commands(sys.argv[1:])
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        sys.exit(1)
    except typer.TyperException as error:  # bad usage (Typer's own copy of click's UsageError family)
        error.show()  # type: ignore[attr-defined]
        sys.exit(getattr(error, "exit_code", 2))
    except NoticeflowError as error:
        print(f"error [{error.code}]: {error.message}", file=sys.stderr)
        sys.exit(error.exit_code)
    sys.exit(code or 0)


# The other commands register themselves on ``app`` when their module is imported. Only the module a call
# needs is imported (all of them for help), so ``ingest`` starts reading pages without loading FastAPI, the
# review and scheduling code, or the store before it needs it.
_COMMAND_MODULES = {
    "review": "flows.review_cli",
    "letter": "flows.review_cli",
    "profiles": "flows.review_cli",
    "watch": "flows.review_cli",
    "deploy": "flows.deploy",
    "mail": "flows.mail",
    "pool": "flows.pool",
    "serve": "flows.serve_cli",
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
