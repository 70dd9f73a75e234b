"""``noticeflow serve [--host 127.0.0.1] [--port 8080] [--no-orchestrate]``: the HTTP API (flows.api) under
uvicorn. Each upload is a Prefect flow run of the ingest service (flows.orchestration) on a Prefect server
started before the first request is taken (or the one ``PREFECT_API_URL`` names); ``--no-orchestrate``
ingests in this process.

Without ``NOTICEFLOW_API_KEYS`` the server listens on loopback only: any other host exits 2 with a message
saying how to configure keys. Bad API settings (a short key, a bad tenant name) also exit 2, via the
``ConfigurationError`` that ``flows.cli.main`` turns into an exit code.
"""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer

from flows.commands import app
from pipeline.ingest import IngestService, ingest


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8080,
    orchestrate: Annotated[
        bool,
        typer.Option(help="Each upload a Prefect flow run on a server started once (or PREFECT_API_URL)."),
    ] = True,
) -> None:
    """Serve the HTTP API (docs at /docs, OpenAPI at /openapi.json)."""
    from flows.api import create_app  # FastAPI: only for this command
    from flows.api_keys import is_loopback, load_api_settings

    settings = load_api_settings()
    if not settings.keys and not is_loopback(host):
        typer.echo(
            f"error: refusing to listen on {host} without API keys; set NOTICEFLOW_API_KEYS "
            "(comma-separated KEY or TENANT:KEY entries) or listen on 127.0.0.1",
            err=True,
        )
        raise typer.Exit(2)
    import uvicorn

    with contextlib.ExitStack() as stack:
        service: IngestService = ingest
        if orchestrate:
            from flows.orchestration import prefect_api, run_document

            api = stack.enter_context(prefect_api(settings, "serve"))
            typer.echo(f"Prefect: PREFECT_API_URL={api.url} prefect flow-run ls", err=True)
            service = run_document
        # proxy_headers=False: X-Forwarded-For is believed only from NOTICEFLOW_TRUSTED_PROXIES (api_guards)
        app = create_app(settings, service=service)
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
