"""Alembic's environment for the store: runs the revisions in versions/ on the connection it is given.

``pipeline.store.open_store`` runs ``alembic upgrade head`` programmatically: it opens a transaction (holding
the migration lock: SQLite's write lock, a PostgreSQL advisory lock), passes its connection through
``config.attributes["connection"]`` and commits after the revisions ran. There is no alembic.ini.

To add a revision, change the tables in pipeline/store.py, then let alembic compare them with a database at
head and write the file (review it; tests/test_store.py fails until models and revisions agree):

    from alembic import command
    from sqlalchemy import create_engine
    from pipeline.store import alembic_config, open_store

    open_store("sqlite:////tmp/head.db").close()
    with create_engine("sqlite:////tmp/head.db").begin() as connection:
        command.revision(alembic_config(connection), "what changed", autogenerate=True, rev_id="0002")
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from pipeline.store import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("the store's migrations run through pipeline.store.open_store, with a connection")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
