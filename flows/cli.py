"""The ``noticeflow`` command line: a thin layer over the pipeline and the flows.

``noticeflow ingest PATH... [--json] [--profiles FILE] [--as-of YYYY-MM-DD] [--workers N]`` follows the CLI
contract of DESIGN.md: with ``--json`` exactly one JSON object per input document per line on stdout, logs
on stderr; exit 0 when every document produced a result, 1 when any failed, 2 on bad usage. A one-shot call
runs the pipeline in-process (a Prefect server start would cost more than the OCR); with a Prefect API
configured (``PREFECT_API_URL``) or ``--orchestrate`` the same work runs as a Prefect flow.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import ConfigurationError
from pipeline.models import NoticeResult, Status
from pipeline.process import PipelineContext
from pipeline.profiles import load_profiles
from pipeline.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Turn IRS notices into checked records.")
log = logging.getLogger("noticeflow")
_NOT_DOCUMENTS = {".json", ".jsonl", ".md", ".txt"}


def collect_documents(paths: list[Path]) -> list[Path]:
    """Files as given; folders expanded to their files (sorted, recursive), skipping hidden files and
    the JSON/text files that sit beside documents (truth, results)."""
    documents: list[Path] = []
    for path in paths:
        if path.is_dir():
            documents += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in _NOT_DOCUMENTS
            )
        else:
            documents.append(path)
    return documents


def _parse_as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2024-06-10", param_hint="--as-of") from None


def print_table(results: list[NoticeResult]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="noticeflow results")
    for column in ("source", "status", "notice", "tax year", "SSN", "amount due", "deadline", "notice date"):
        table.add_column(column)
    for result in results:
        deadline = result.fields.get("deadline")
        kind = f" ({deadline.kind})" if deadline and deadline.kind == "computed" else ""
        row = [result.field_value(name) for name in ("notice_number", "tax_year", "ssn_last4", "amount_due")]
        table.add_row(
            Path(result.source).name,
            result.status.value,
            *("—" if value is None else str(value) for value in row),
            f"{result.field_value('deadline') or '—'}{kind}",
            str(result.field_value("notice_date") or "—"),
        )
    console = Console(width=max(130, Console().width))
    console.print(table)
    for result in results:
        if result.review_reasons or result.error:
            why = result.error.message if result.error else "; ".join(result.review_reasons)
            console.print(f"[bold]{Path(result.source).name}[/]: {why}", highlight=False)


@app.callback()
def _commands() -> None:
    """Turn IRS notices into checked records."""


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
        bool, typer.Option(help="Run as a Prefect flow even without PREFECT_API_URL.")
    ] = False,
) -> None:
    """Read notices and print one result per document."""
    documents = collect_documents(paths)
    if not documents:
        raise typer.BadParameter("no documents found", param_hint="PATH")
    settings = Settings() if workers is None else Settings(workers=workers)
    try:
        loaded_profiles = load_profiles(profiles) if profiles else ()
        context = PipelineContext.default(_parse_as_of(as_of), settings, loaded_profiles)
    except ConfigurationError as error:
        typer.echo(f"error [{error.code}]: {error.message}", err=True)
        raise typer.Exit(2) from None
    results = []
    for result in _run(documents, context, orchestrate or bool(os.environ.get("PREFECT_API_URL"))):
        results.append(result)
        if json_lines:
            sys.stdout.write(result.model_dump_json() + "\n")
            sys.stdout.flush()
    if not json_lines:
        print_table(results)
    raise typer.Exit(1 if any(r.status is Status.FAILED for r in results) else 0)


def _run(documents: list[Path], context: PipelineContext, orchestrate: bool):  # type: ignore[no-untyped-def]
    if orchestrate:
        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        prefect_home = context.settings.home / "prefect"
        prefect_home.mkdir(parents=True, exist_ok=True)  # Prefect stops if it cannot create it itself
        os.environ.setdefault("PREFECT_HOME", str(prefect_home))
        from flows.ingest import ingest_batch

        yield from ingest_batch(documents, len(documents), context.as_of)
        return
    from pipeline.process import process_batch

    yield from process_batch(documents, context)


def main() -> None:
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    app()


if __name__ == "__main__":
    main()
