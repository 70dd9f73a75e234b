"""The results' priority column holds the priority a result has on every day
(``pipeline.triage.stored_priority``); before, it held the priority of the day the result was written, one
step up when its deadline was near. The queue derives the priority for the day asked from this column and
the deadline, so current results are given theirs again from their stored JSON.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pipeline.models import NoticeResult
from pipeline.triage import stored_priority

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_results = sa.table(
    "results",
    sa.column("id", sa.Integer),
    sa.column("is_current", sa.Boolean),
    sa.column("priority", sa.String),
    sa.column("result_json", sa.Text),
)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_results.c.id, _results.c.result_json).where(_results.c.is_current))
    for row_id, result_json in rows.all():
        priority = stored_priority(NoticeResult.model_validate_json(result_json)).value
        connection.execute(sa.update(_results).where(_results.c.id == row_id).values(priority=priority))


def downgrade() -> None:
    """Nothing to undo: the day-free priority is a valid priority of the old column too."""
