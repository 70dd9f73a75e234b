"""The notice catalog: which IRS notices noticeflow knows, as data validated at load.

``load_catalog()`` reads ``catalog/notices.json`` (built from shared/reference/irs-notices.md) and returns a
``Catalog``; a bad entry raises ``BadCatalog`` and is never skipped. ``Catalog.get(code)`` resolves codes
and aliases ("Letter 1058" is stored as ``LTR1058``; the Spanish "CP14SP" resolves to ``CP14``). Every
entry names its ``source``: the irs.gov page or IRS sample notice its facts come from. The fields a type
requires or never carries are names of the field registry (``pipeline.fields``); an unknown one is a
``BadCatalog``.

``escalations`` are the collection chains, each an ordered list of steps (a step may hold several codes
that come at the same point: LT11, CP90, CP91 and Letter 1058 are each the final notice after a CP504; a
business's CP161 and CP504B stand where an individual's CP14 and CP504 do, its CP501 and CP503 steps
skipped);
``Catalog.escalation_step(code)`` is a code's (chain, step), which orders a case's timeline
(``pipeline.cases``). A code in no chain, or in two, or not in the catalog is a ``BadCatalog``.
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from pipeline.errors import BadCatalog
from pipeline.fields import FIELD_NAMES, FIELDS
from pipeline.models import Category

CATALOG_PATH = Path(__file__).with_name("catalog") / "notices.json"


class Presence(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    ABSENT = "absent"


class DeadlineRule(StrEnum):
    PRINTED = "printed"  # the notice prints a date
    COMPUTED = "computed"  # "within N days from the date of this notice"
    NONE = "none"  # no deadline ("immediately", or nothing to do)


class NoticeType(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    title: str
    category: Category
    amount_due: Presence
    deadline: DeadlineRule
    response_window_days: int | None
    source: str  # the irs.gov "Understanding your ... notice" page or the IRS sample notice
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    @field_validator("source")
    @classmethod
    def _source_is_an_irs_page(cls, source: str) -> str:
        host = urlsplit(source).hostname or ""
        if not source.startswith("https://") or not (host == "irs.gov" or host.endswith(".irs.gov")):
            raise ValueError(f"source {source!r} is not an https address on irs.gov")
        return source

    @model_validator(mode="after")
    def _window_matches_rule(self) -> NoticeType:
        if self.deadline is DeadlineRule.COMPUTED and not self.response_window_days:
            raise ValueError(f"{self.code}: a computed deadline needs response_window_days")
        return self

    @model_validator(mode="after")
    def _fields_are_registered(self) -> NoticeType:
        unknown = sorted(set(self.required_fields + tuple(self.carries_none)) - set(FIELD_NAMES))
        if unknown:
            raise ValueError(f"{self.code}: fields {unknown} are not in the field registry (pipeline.fields)")
        return self

    @property
    def required_fields(self) -> tuple[str, ...]:
        """The registry's fields every type requires, then the amount and the deadline when this type has
        them."""
        fields = [spec.name for spec in FIELDS if spec.required]
        if self.amount_due is Presence.REQUIRED:
            fields.append("amount_due")
        if self.deadline is not DeadlineRule.NONE:
            fields.append("deadline")
        return tuple(fields)

    @property
    def carries_none(self) -> frozenset[str]:
        """Fields this type never prints: nothing is owed on it, or it sets no deadline."""
        absent = (
            ("amount_due", self.amount_due is Presence.ABSENT),
            ("deadline", self.deadline is DeadlineRule.NONE),
        )
        return frozenset(name for name, is_absent in absent if is_absent)


class Catalog(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    source: str
    escalations: tuple[tuple[tuple[str, ...], ...], ...] = ()
    notices: tuple[NoticeType, ...]

    @model_validator(mode="after")
    def _codes_unique(self) -> Catalog:
        seen: set[str] = set()
        for notice in self.notices:
            for code in (notice.code, *notice.aliases):
                if code in seen:
                    raise ValueError(f"notice code {code} appears twice")
                seen.add(code)
        return self

    @model_validator(mode="after")
    def _escalations_known(self) -> Catalog:
        chained = [code for chain in self.escalations for step in chain for code in step]
        unknown = sorted({code for code in chained if code not in {notice.code for notice in self.notices}})
        if unknown:
            raise ValueError(f"escalations name codes that are not catalog codes: {unknown}")
        twice = sorted({code for code in chained if chained.count(code) > 1})
        if twice:
            raise ValueError(f"escalations name codes more than once: {twice}")
        return self

    def escalation_step(self, code: str | None) -> tuple[int, int] | None:
        """The (chain, step) of a code (or its alias) in the escalation chains; None when in none."""
        notice = self.get(code)
        for chain_index, chain in enumerate(self.escalations):
            for step_index, step in enumerate(chain):
                if notice is not None and notice.code in step:
                    return chain_index, step_index
        return None

    def get(self, code: str | None) -> NoticeType | None:
        if not code:
            return None
        for notice in self.notices:
            if code == notice.code or code in notice.aliases:
                return notice
        return None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for n in self.notices for code in (n.code, *n.aliases))


@cache
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    try:
        return Catalog.model_validate(json.loads(path.read_text()))
    except (OSError, json.JSONDecodeError, ValidationError) as exc:
        raise BadCatalog(f"notice catalog {path} is invalid: {exc}") from exc
