"""The HTTP API's public models: what a client may send and what it gets back, nothing more.

Inputs (``*In``) refuse unknown keys so a typo is a 422, not a silent no-op (profiles are the exception:
DESIGN.md says unknown profile keys are ignored). Outputs (``*Out``) are built from the pipeline's models
but declare their own top-level fields and ignore anything else, so an internal field added to
``NoticeResult`` or ``AuditEntry`` later never leaks into a response. ``NoticeOut.from_result`` also masks
any full SSN a second time: the store masks on write, the API masks on the way out, and gives the triage
of the day asked (``pipeline.triage.for_day``): days left and priority are never the stored ones.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StrictInt, StringConstraints
from pydantic import Field as PydanticField

from extractors.ssn import mask_full_ssns
from pipeline.cases import Case, CaseEventKind, CaseSummary, route_in_case
from pipeline.letter import Stance
from pipeline.models import (
    NoticeResult,
)
from pipeline.profiles import TaxpayerProfile
from pipeline.store import AuditEntry
from pipeline.triage import for_day

Reviewer = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
FieldName = Annotated[str, StringConstraints(max_length=64)]
FieldText = Annotated[str, StringConstraints(max_length=200)]  # as the review page's inputs


class PublicModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class InputModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---- errors and health ------------------------------------------------------------------------------------


class ErrorBody(PublicModel):
    code: str
    message: str


class ErrorOut(PublicModel):
    """Every error response: ``{"error": {"code": "...", "message": "..."}}``; branch on ``code``."""

    error: ErrorBody


class HealthOut(PublicModel):
    status: Literal["ok"] = "ok"


class ReadyOut(PublicModel):
    status: Literal["ready", "unavailable"]
    checks: dict[str, bool]


# ---- notices ----------------------------------------------------------------------------------------------


class NoticeOut(NoticeResult):
    """One notice's result as the API answers it: the result contract of DESIGN.md for one day (days left,
    priority), every full SSN masked. A scanned stack's answer lists its notices' results (``children``)."""

    @classmethod
    def from_result(cls, result: NoticeResult, day: dt.date, case: Case | None = None) -> NoticeOut:
        """The result with its triage of ``day`` (its notices' too, for a stack), and what its case's events
        say (``route_in_case``)."""
        children = tuple(for_day(child, day) for child in result.children)
        of_day = route_in_case(for_day(result, day), case).model_copy(update={"children": children})
        return cls.model_validate_json(mask_full_ssns(of_day.model_dump_json()))


class PendingOut(PublicModel):
    """An upload accepted with ``?wait=false`` that is still being processed; poll ``location``."""

    document_id: str
    status: Literal["pending"] = "pending"
    location: str


class CasePage(PublicModel):
    """One page of cases, open ones first, then most urgent first (priority and days left of the day
    asked); ``next_offset`` is null on the last page."""

    items: list[CaseSummary]
    limit: int
    offset: int
    next_offset: int | None


class CaseEventIn(InputModel):
    """What a person records for a whole case: a payment plan agreed (its terms in ``detail``) or a notice of
    the case disputed (``document_id``), on a day (default today)."""

    kind: CaseEventKind
    detail: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    on: dt.date | None = None
    document_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    reviewer: Reviewer | None = None


class NoticePage(PublicModel):
    """One page of results, most urgent first; ``next_offset`` is null on the last page."""

    items: list[NoticeOut]
    limit: int
    offset: int
    next_offset: int | None


class AuditOut(PublicModel):
    at: dt.datetime
    actor: str
    action: str
    field: str | None = None
    old_value: str | None = None
    new_value: str | None = None
    detail: str | None = None

    @classmethod
    def from_entry(cls, entry: AuditEntry) -> AuditOut:
        return cls.model_validate(entry.model_dump())


class AuditPage(PublicModel):
    items: list[AuditOut]


# ---- reviews ----------------------------------------------------------------------------------------------


class AcceptIn(InputModel):
    """A person confirmed every value: the result becomes processed. A notice held for a possible scam, a
    failed check or an unmatched profile needs ``reason``: what the person verified."""

    decision: Literal["accept"]
    reviewer: Reviewer | None = None
    reason: str | None = PydanticField(default=None, max_length=1000)


class CorrectIn(InputModel):
    """Corrected values by field name (``{"amount_due": "5181.72"}``); validation and triage run again."""

    decision: Literal["correct"]
    fields: dict[FieldName, FieldText | StrictInt] = PydanticField(min_length=1, max_length=20)
    reviewer: Reviewer | None = None


class RejectIn(InputModel):
    """Not a usable notice (a scam, a wrong scan): kept out of processed, with the reason."""

    decision: Literal["reject"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    reviewer: Reviewer | None = None


ReviewIn = Annotated[AcceptIn | CorrectIn | RejectIn, PydanticField(discriminator="decision")]


class SplitIn(InputModel):
    """Where each notice of a scanned stack starts (its first pages, 1-based): the notices are derived
    anew from the pages read at upload, without OCR."""

    starts: list[Annotated[int, PydanticField(ge=1, le=10_000)]] = PydanticField(min_length=1, max_length=500)
    reviewer: Reviewer | None = None


# ---- letters ----------------------------------------------------------------------------------------------

Attachment = Annotated[str, StringConstraints(max_length=200)]
Reason = Annotated[str, StringConstraints(max_length=2000)]
MonthlyPlan = Annotated[Decimal, PydanticField(gt=0, max_digits=12, decimal_places=2)]


class LetterIn(InputModel):
    """What a draft letter says: agree or disagree (then with a reason), documents to enclose, a monthly
    payment plan to ask for. POSTed as JSON, the reason (which may quote an SSN) stays out of URLs."""

    stance: Stance
    reason: Reason | None = None
    attach: list[Attachment] = PydanticField(default_factory=list, max_length=20)
    monthly_plan: MonthlyPlan | None = None


# ---- profiles ---------------------------------------------------------------------------------------------


class ProfileIn(TaxpayerProfile):
    """A taxpayer profile as sent to ``PUT /v1/profiles/{id}``: ``id`` may be left out (the path names it);
    unknown keys are ignored with a logged warning."""

    id: str | None = None  # type: ignore[assignment]


class ProfilePage(PublicModel):
    items: list[TaxpayerProfile]
