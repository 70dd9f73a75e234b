"""``noticeflow serve [--host 127.0.0.1] [--port 8080]``: the HTTP API (flows.api) under uvicorn.

Without ``NOTICEFLOW_API_KEYS`` the server listens on loopback only: any other host exits 2 with a message
saying how to configure keys. Bad API settings (a short key, a bad tenant name) also exit 2, via the
``ConfigurationError`` that ``flows.cli.main`` turns into an exit code.
"""

from __future__ import annotations

from typing import Annotated

import typer

from flows.commands import app


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8080,
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

    # proxy_headers=False: X-Forwarded-For is believed only from NOTICEFLOW_TRUSTED_PROXIES (flows.api_guards)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", proxy_headers=False)
