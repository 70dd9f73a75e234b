"""A person's review of a stored result: accept it, correct fields, or reject it; every change audited.

``accept_result``, ``correct_result`` and ``reject_result`` take the store, a document id, the reviewer's
name and the tenant, and return the new current result (the old one stays in the store's history).
``correct_result`` parses each corrected value as its field requires (``parse_correction``), then re-runs
validation and triage with the corrected values: a corrected field is certain (confidence 1.0, rule
"review"); what is still wrong elsewhere keeps the result in review. Accepting confirms every value and
marks the result processed (a scam hold, a failed check or an unmatched profile only with a reason);
rejecting keeps it out of processed with the reason. ``move_boundaries`` cuts a scanned stack where a person
says its notices start: the notices are derived anew from the pages kept at ingest (no OCR); a notice whose
pages did not change keeps its stored result and reviews, the others are new notices and the old ones are
superseded (the store audits both). pipeline.decide sets every status: a correction clears
only what it corrects. Raises
``DocumentNotFound`` (unknown id) and ``BadCorrection`` (a value that does not parse, an unknown field).
The CLI and the HTTP API both call these functions, so the rules are the same everywhere. Whatever a person
typed (correction values, reasons, the reviewer's name) has every full SSN cut to its last four here, as it
enters (``extractors.ssn.mask_full_ssns``), before it reaches a result, an error message, the audit or a log.
"""

from __future__ import annotations

import datetime as dt

from extractors.ssn import mask_full_ssns
from pipeline.catalog import Catalog
from pipeline.decide import decide, finding_field, hold_needing_a_reason
from pipeline.errors import BadCorrection
from pipeline.fields import CORRECTABLE, field_spec
from pipeline.models import (
    DeadlineKind,
    Decision,
    Field,
    FieldValue,
    NoticeResult,
    NoticeTypeMatch,
    Resolution,
)
from pipeline.process import PipelineContext, rederive, stack_result
from pipeline.profiles import TaxpayerProfile
from pipeline.store import ReviewDecision, Store
from pipeline.triage import triage
from pipeline.validate import validate_against_profile

_NONE = {"", "none", "null", "-"}


def parse_correction(name: str, text: str) -> FieldValue:
    """The typed value a person typed for field ``name`` (its registry parser); "none" clears it."""
    spec = field_spec(name)
    if spec is None or not spec.correctable:
        raise BadCorrection(f"{name!r} cannot be corrected; fields: {', '.join(CORRECTABLE)}")
    if text.strip().lower() in _NONE:
        return None
    value = spec.parse(text)
    if value is None:
        raise BadCorrection(f"{text!r} is not a valid {name.replace('_', ' ')}")
    return value


def _profile(store: Store, result: NoticeResult, tenant: str) -> TaxpayerProfile | None:
    return store.get_profile(result.profile_id, tenant) if result.profile_id else None


def _notice_match(result: NoticeResult, corrected_code: FieldValue, catalog: Catalog) -> NoticeTypeMatch:
    if corrected_code is None:
        return result.notice_type or NoticeTypeMatch(code=None, title=None, confidence=0.0)
    notice = catalog.get(str(corrected_code))
    return NoticeTypeMatch(code=str(corrected_code), title=notice.title if notice else None, confidence=1.0)


def correct_result(
    store: Store,
    document_id: str,
    corrections: dict[str, str],
    *,
    actor: str,
    catalog: Catalog,
    as_of: dt.date,
    min_confidence: float,
    tenant: str = "default",
) -> NoticeResult:
    corrections = {name: mask_full_ssns(text) for name, text in corrections.items()}
    actor = mask_full_ssns(actor)
    result = store.result(document_id, tenant)
    values = {name: parse_correction(name, text) for name, text in corrections.items()}
    fields = dict(result.fields)
    for name, value in values.items():
        kind = DeadlineKind.PRINTED if name == "deadline" and value else None
        fields[name] = Field(value=value, confidence=1.0, raw=corrections[name], rule="review", kind=kind)
    match = _notice_match(result, values.get("notice_number"), catalog)
    notice = catalog.get(match.code)
    validation = validate_against_profile(
        fields, result.billing_lines, notice, _profile(store, result, tenant), as_of, result.periods
    )
    corrected = result.model_copy(update={
        "fields": fields, "notice_type": match, "validation": validation, "resolution": None,
        "findings": tuple(f for f in result.findings if finding_field(f) not in values),
        "triage": triage(notice, fields, validation, result.scam, as_of, result.billing_lines),
    })  # fmt: skip
    updated = decide(corrected, notice, min_confidence)
    changes = [(name, result.field_value(name), value) for name, value in values.items()]
    stored = store.replace_result(updated, tenant, actor, "review_correct", changes)
    store.record_review(document_id, tenant, ReviewDecision.CORRECT, actor, None)
    return stored


def accept_result(
    store: Store, document_id: str, *, actor: str, reason: str | None = None, tenant: str = "default"
) -> NoticeResult:
    """A person confirmed every value: the result is processed. A result held for a possible scam, a failed
    check or an unmatched profile is accepted only with ``reason`` (why it is genuine, why it is right)."""
    actor, reason = mask_full_ssns(actor), (mask_full_ssns(reason) if reason else reason)
    result = store.result(document_id, tenant)
    hold = hold_needing_a_reason(result)
    if hold is not None and not (reason and reason.strip()):
        raise BadCorrection(f"this notice is held ({hold}); accept it with a reason that resolves that")
    resolution = Resolution(decision=Decision.ACCEPT, actor=actor, reason=reason)
    updated = _resolved(result, resolution)
    stored = store.replace_result(updated, tenant, actor, "review_accept", [])
    store.record_review(document_id, tenant, ReviewDecision.ACCEPT, actor, reason)
    return stored


def reject_result(
    store: Store, document_id: str, reason: str, *, actor: str, tenant: str = "default"
) -> NoticeResult:
    """Not a usable notice (a scam, a wrong scan): kept out of processed, with the reason."""
    actor, reason = mask_full_ssns(actor), mask_full_ssns(reason)
    result = store.result(document_id, tenant)
    updated = _resolved(result, Resolution(decision=Decision.REJECT, actor=actor, reason=reason))
    stored = store.replace_result(updated, tenant, actor, "review_reject", [])
    store.record_review(document_id, tenant, ReviewDecision.REJECT, actor, reason)
    return stored


def _resolved(result: NoticeResult, resolution: Resolution) -> NoticeResult:
    """A person's decision settles the status whatever the notice type (``decide`` reads nothing else)."""
    return decide(result.model_copy(update={"resolution": resolution}), None, min_confidence=0.0)


def move_boundaries(
    store: Store, document_id: str, starts: list[int], *, actor: str, context: PipelineContext,
    tenant: str = "default",
) -> NoticeResult:  # fmt: skip
    """The stack cut where each notice starts (``starts``: first pages, 1-based); its new current result.
    Raises ``BadCorrection`` for a notice of a stack (the stack is cut, not its notice) or no page given."""
    actor = mask_full_ssns(actor)
    stored = store.result(document_id, tenant)
    if stored.parent_id is not None:
        raise BadCorrection(f"this is one notice of a stack: move its boundaries on {stored.parent_id[:12]}")
    if not starts or not all(1 <= start <= stored.pages for start in starts):
        raise BadCorrection(f"say on which pages (1 to {stored.pages}) the notices start")
    cut = rederive(document_id, stored.source, starts, context)
    if cut.split is not None:
        unchanged = {child.document_id: child for child in stored.children}
        children = tuple(unchanged.get(child.document_id, child) for child in cut.children)
        cut = stack_result(document_id, stored.source, cut.pages, cut.split, children, stored.timings)
    change = ("split", _ranges(stored), _ranges(cut))
    return store.replace_result(cut, tenant, actor, "review_split", [change])


def _ranges(result: NoticeResult) -> str:
    """The notices' pages as a person reads them: "1-2, 4-6" (one notice: all its pages)."""
    ranges = [child.page_range for child in result.children if child.page_range]
    return ", ".join(f"{first}-{last}" for first, last in ranges) or f"1-{result.pages}"
