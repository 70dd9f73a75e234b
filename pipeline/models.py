"""The frozen models that travel between stages, and the result contract of DESIGN.md.

Data path: ``LoadedDocument`` (pages as ``PageImage`` or text-layer ``OcrPage``) → ``OcrDocument`` →
``Extraction`` (one ``Field`` per field name) → ``NoticeResult`` (what the CLI prints and the store keeps).
Every model is frozen; a stage returns a new one instead of changing its input.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator
from pydantic import Field as PydanticField

from extractors.billing import BillingRole, billing_role

BBox = tuple[int, int, int, int]
"""x, y, width, height in pixels of the page the value was read on."""

FieldValue = str | int | None


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PageImage(BaseModel):
    """One page as pixels; OpenCV arrays lose DPI and page number, so they travel together."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    number: int
    dpi: int
    pixels: np.ndarray
    steps: tuple[str, ...] = ()


class OcrWord(Frozen):
    text: str
    confidence: float  # 0..1
    bbox: BBox


class OcrLine(Frozen):
    text: str
    bbox: BBox
    confidence: float  # mean of its words, 0..1
    words: tuple[OcrWord, ...] = ()


class PageSource(StrEnum):
    OCR = "ocr"
    TEXT_LAYER = "text_layer"


class OcrPage(Frozen):
    number: int
    width: int
    height: int
    source: PageSource
    lines: tuple[OcrLine, ...]
    steps: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


class OcrDocument(Frozen):
    pages: tuple[OcrPage, ...]

    @property
    def text(self) -> str:
        return "\n\f".join(page.text for page in self.pages)


class DeadlineKind(StrEnum):
    PRINTED = "printed"  # a date the notice prints
    COMPUTED = "computed"  # the notice date plus the window the notice states ("within 60 days ...")
    PUBLISHED = "published"  # the notice states none: the notice date plus the IRS's published window


class Field(Frozen):
    """One extracted value with its provenance. ``value`` is None when the notice does not carry it."""

    value: FieldValue = None
    confidence: float = 0.0
    page: int | None = None
    bbox: BBox | None = None
    raw: str | None = None
    rule: str | None = None
    kind: DeadlineKind | None = None


class NoticeTypeMatch(Frozen):
    code: str | None
    title: str | None
    confidence: float
    runner_up: str | None = None


class BillingLine(Frozen):
    label: str
    amount: str  # decimal string, two places
    role: BillingRole = BillingRole.CHARGE  # what the row is (tax owed, a payment...): always from the label

    @model_validator(mode="before")
    @classmethod
    def _role_from_label(cls, data: object) -> object:
        if isinstance(data, dict) and "label" in data:
            return {**data, "role": billing_role(str(data["label"]))}
        return data


class TaxPeriod(Frozen):
    """One row of a notice's table of tax periods, with its provenance like a ``Field``. A value None was
    printed but could not be read (extraction makes that a finding)."""

    form: str | None  # "1040", "941"
    period_end: str | None  # ISO date
    amount: str | None  # decimal string, two places: what is owed for the period
    confidence: float = 0.0
    page: int | None = None
    bbox: BBox | None = None
    raw: str | None = None


class Extraction(Frozen):
    fields: dict[str, Field]
    billing_lines: tuple[BillingLine, ...] = ()
    periods: tuple[TaxPeriod, ...] = ()
    revised: Field | None = None  # the marker of a revised notice, when it prints one
    findings: tuple[str, ...] = ()  # disagreements between candidates, for the status stage


class Status(StrEnum):
    PROCESSED = "processed"
    NEEDS_REVIEW = "needs_review"
    FAILED = "failed"
    DUPLICATE = "duplicate"


class CheckStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


class ValidationStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    PARTIAL = "partial"
    SKIPPED = "skipped"


class Check(Frozen):
    name: str
    status: CheckStatus
    detail: str


class Validation(Frozen):
    status: ValidationStatus = ValidationStatus.SKIPPED
    checks: tuple[Check, ...] = ()


class Category(StrEnum):
    BALANCE_DUE = "balance_due"
    INTENT_TO_LEVY = "intent_to_levy"
    PROPOSED_ADJUSTMENT = "proposed_adjustment"
    DEFICIENCY = "deficiency"
    RETURN_CHANGED = "return_changed"
    UNFILED_RETURN = "unfiled_return"
    IDENTITY_VERIFICATION = "identity_verification"
    INFORMATIONAL = "informational"
    UNKNOWN = "unknown"


class Priority(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class Triage(Frozen):
    """``days_left``, ``priority`` and an overdue line first in ``actions`` hold for one day: a stored
    triage is the one of the day it was written; read a result through ``pipeline.triage.for_day``."""

    category: Category = Category.UNKNOWN
    priority: Priority = Priority.NORMAL
    days_left: int | None = None
    route: str | None = None
    actions: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()


class ScamRisk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ScamSignal(Frozen):
    code: str
    detail: str
    weight: float


class ScamCheck(Frozen):
    risk: ScamRisk = ScamRisk.LOW
    score: float = 0.0
    signals: tuple[ScamSignal, ...] = ()


class ErrorInfo(Frozen):
    code: str
    message: str
    retryable: bool = False  # the error class's word: the same document may succeed when tried again
    attempts: int = 1  # how many times the document was tried before this error was final


class Channel(StrEnum):
    """The entry point that took a document in (pipeline.ingest records it in the result and the audit)."""

    CLI = "cli"
    WATCH = "watch"
    SWEEP = "sweep"
    API = "api"
    POOL = "pool"
    MAIL = "mail"


class Decision(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"


class Resolution(Frozen):
    """A person's last accept or reject of the result; what it resolved stays resolved until a correction."""

    decision: Decision
    actor: str
    reason: str | None = None


class SplitCut(Frozen):
    """A boundary before ``page`` (1-based in the original): a cut where a notice starts, or a page doubted
    but kept with the notice before it (``is_cut`` False); the evidence that decided it, and how sure."""

    page: int
    evidence: tuple[str, ...]
    is_certain: bool = True
    is_cut: bool = True


class Segment(Frozen):
    """One notice's pages in the original, 1-based and inclusive: its first and last non-blank page."""

    first: int
    last: int


class SplitPlan(Frozen):
    """How a document is cut into notices (``pipeline.split``): the notices in page order, the blank pages
    that belong to none, the cuts with their evidence (and the boundaries doubted but not cut)."""

    segments: tuple[Segment, ...]
    blank_pages: tuple[int, ...] = ()
    cuts: tuple[SplitCut, ...] = ()
    is_certain: bool = True


class NoticeResult(Frozen):
    """The result contract of DESIGN.md: one per notice; a stack of notices is one result (the parent)
    whose ``children`` are its notices' results, each with its ``page_range`` and ``parent_id``."""

    document_id: str
    source: str
    status: Status
    review_reasons: tuple[str, ...] = ()
    pages: int = 0
    notice_type: NoticeTypeMatch | None = None
    fields: dict[str, Field] = PydanticField(default_factory=dict)
    billing_lines: tuple[BillingLine, ...] = ()
    profile_id: str | None = None
    validation: Validation = Validation()
    triage: Triage = Triage()
    scam: ScamCheck = ScamCheck()
    error: ErrorInfo | None = None
    timings: dict[str, float] = PydanticField(default_factory=dict)
    channel: Channel | None = None
    # The facts pipeline.decide derives the status from, besides the fields, validation and scam check:
    findings: tuple[str, ...] = ()  # what extraction noticed; each names its field before a colon
    profile_mismatch: str | None = None  # why no taxpayer profile matched, when profiles were given
    resolution: Resolution | None = None
    # What the service says about this answer, not about the notice (a duplicate read with other options);
    # in the JSON only when there is one.
    notes: tuple[str, ...] = PydanticField(default=(), exclude_if=lambda notes: not notes)
    # The rows of the table of tax periods a collection notice prints (CP504, LT11...), in printed order;
    # empty, and left out of the JSON, for a notice that prints no such table (its one period is tax_year).
    periods: tuple[TaxPeriod, ...] = PydanticField(default=(), exclude_if=lambda periods: not periods)
    # The marker that the notice revises one sent earlier ("This is a revised CP2000", extractors.revision);
    # None, and left out of the JSON, for a notice that prints none. pipeline.cases: a revision supersedes.
    revised: Field | None = PydanticField(default=None, exclude_if=lambda revised: revised is None)
    # A stack of notices (pipeline.split); in the JSON only for a stack and its notices.
    page_range: tuple[int, int] | None = PydanticField(default=None, exclude_if=lambda value: value is None)
    parent_id: str | None = PydanticField(default=None, exclude_if=lambda value: value is None)
    children: tuple[NoticeResult, ...] = PydanticField(default=(), exclude_if=lambda value: not value)
    split: SplitPlan | None = PydanticField(default=None, exclude_if=lambda value: value is None)

    def field_value(self, name: str) -> FieldValue:
        field = self.fields.get(name)
        return field.value if field else None


def parse_iso_date(value: FieldValue) -> dt.date | None:
    """A field's ISO date string as a date, or None."""
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
