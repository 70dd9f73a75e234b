"""The one status decision: a correction clears only what it corrects; holds need a person's reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fixtures.generator.corpus import Spec, write
from pipeline.catalog import load_catalog
from pipeline.decide import decide
from pipeline.errors import BadCorrection
from pipeline.load import load_document
from pipeline.models import Check, CheckStatus, OcrDocument, OcrLine, OcrPage, ScamRisk, Status, Validation
from pipeline.process import PipelineContext, analyze_document
from pipeline.review import accept_result, correct_result, reject_result
from pipeline.store import Store, open_store

AS_OF = dt.date(2027, 6, 1)
CATALOG = load_catalog()
SCAM_WORDING = (
    "A warrant has been issued for your arrest. To cancel the warrant you must pay today.",
    "Payment must be made with Google Play or Apple gift cards from any store.",
    "Do not discuss this case with anyone. Failure to pay within 24 hours will result in the local police",
    "arresting you at your home or work.",
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'noticeflow.db'}")


def _notice_pages(code: str, tmp_path: Path) -> tuple[str, OcrDocument]:
    """A generated born-digital notice of type ``code``, as the pipeline reads its text layer."""
    truth = write(Spec(1, 20261202, code, "pdf_text", "clean"), tmp_path)
    loaded = load_document(tmp_path / truth["source"])
    pages = tuple(page for page in loaded.pages if isinstance(page, OcrPage))
    return loaded.document_id, OcrDocument(pages=pages)


def _with_scam_wording(document: OcrDocument) -> OcrDocument:
    first = document.pages[0]
    bottom = max(line.bbox[1] + line.bbox[3] for line in first.lines)
    added = tuple(
        OcrLine(text=text, bbox=(100, bottom + 40 * (index + 1), 1800, 30), confidence=1.0)
        for index, text in enumerate(SCAM_WORDING)
    )
    return OcrDocument(pages=(first.model_copy(update={"lines": first.lines + added}), *document.pages[1:]))


def _stored_scam(store: Store, tmp_path: Path) -> str:
    document_id, document = _notice_pages("CP503", tmp_path)
    context = PipelineContext.default(AS_OF)
    result = analyze_document(document_id, "cp503.pdf", _with_scam_wording(document), context, {})
    assert result.scam.risk is ScamRisk.HIGH, result.scam
    assert result.status is Status.NEEDS_REVIEW
    store.save_result(result)
    return document_id


def test_a_correction_does_not_lift_a_scam_hold(store: Store, tmp_path: Path) -> None:
    document_id = _stored_scam(store, tmp_path)
    corrected = correct_result(
        store, document_id, {"caller_id": "123456"}, actor="ana", catalog=CATALOG, as_of=AS_OF,
        min_confidence=0.6,
    )  # fmt: skip
    assert corrected.status is Status.NEEDS_REVIEW
    assert corrected.review_reasons[0].startswith("possible scam")


def test_accepting_a_held_notice_needs_a_reason(store: Store, tmp_path: Path) -> None:
    document_id = _stored_scam(store, tmp_path)
    with pytest.raises(BadCorrection, match="possible scam"):
        accept_result(store, document_id, actor="ana")
    accepted = accept_result(store, document_id, actor="ana", reason="called the IRS: it is genuine")
    assert (accepted.status, accepted.review_reasons) == (Status.PROCESSED, ())
    assert accepted.resolution is not None and accepted.resolution.reason == "called the IRS: it is genuine"


def test_a_correction_after_an_accept_raises_the_hold_again(store: Store, tmp_path: Path) -> None:
    document_id = _stored_scam(store, tmp_path)
    accept_result(store, document_id, actor="ana", reason="called the IRS: it is genuine")
    corrected = correct_result(
        store, document_id, {"amount_due": "1.00"}, actor="bo", catalog=CATALOG, as_of=AS_OF,
        min_confidence=0.6,
    )  # fmt: skip
    assert corrected.status is Status.NEEDS_REVIEW
    assert corrected.review_reasons[0].startswith("possible scam")


def test_a_reject_stays_through_the_next_decision(store: Store, tmp_path: Path) -> None:
    document_id, document = _notice_pages("CP14", tmp_path)
    result = analyze_document(document_id, "cp14.pdf", document, PipelineContext.default(AS_OF), {})
    store.save_result(result)
    rejected = reject_result(store, document_id, "a scan of the wrong page", actor="ana")
    assert rejected.review_reasons == ("rejected by ana: a scan of the wrong page",)
    assert store.get_result(document_id) == rejected


def test_a_correction_clears_the_findings_about_the_corrected_field_only(
    store: Store, tmp_path: Path
) -> None:
    document_id, document = _notice_pages("CP14", tmp_path)
    result = analyze_document(document_id, "cp14.pdf", document, PipelineContext.default(AS_OF), {})
    findings = ("amount_due: the notice also shows 12.00 (chose 5.00)", "tax_year: printed twice, unread")
    store.save_result(result.model_copy(update={"findings": findings, "status": Status.NEEDS_REVIEW}))
    corrected = correct_result(
        store, document_id, {"amount_due": str(result.field_value("amount_due"))}, actor="ana",
        catalog=CATALOG, as_of=AS_OF, min_confidence=0.6,
    )  # fmt: skip
    assert corrected.findings == ("tax_year: printed twice, unread",)
    assert "tax_year: printed twice, unread" in corrected.review_reasons
    assert corrected.status is Status.NEEDS_REVIEW


TYPED_SSNS = ("SSN287655364", "SSN:287-65-5364", "2B7-65-S364", "287 6S 5364")  # glued, OCR-misread


def _kept_bytes(folder: Path) -> bytes:
    """Everything the SQLite store wrote: the database and its write-ahead log."""
    return b"".join(path.read_bytes() for path in sorted(folder.glob("noticeflow.db*")))


def test_what_a_person_types_is_masked_where_it_enters(store: Store, tmp_path: Path) -> None:
    """Correction values, accept and reject reasons and the reviewer's name keep no full SSN: not in the
    result, its history, the audit, the review rows, nor the message of a correction that does not parse."""
    (tmp_path / "notice").mkdir()
    document_id, document = _notice_pages("CP14", tmp_path / "notice")
    store.save_result(analyze_document(document_id, "cp14.pdf", document, PipelineContext.default(AS_OF), {}))
    glued, labelled, misread, spaced = TYPED_SSNS
    with pytest.raises(BadCorrection) as refused:
        correct_result(store, document_id, {"amount_due": labelled}, actor="ana", catalog=CATALOG,
                       as_of=AS_OF, min_confidence=0.6)  # fmt: skip
    assert "287" not in refused.value.message and "XXX-XX-5364" in refused.value.message
    corrected = correct_result(
        store, document_id, {"taxpayer_name": f"JOHN DOE {glued}"}, actor=f"ana {spaced}", catalog=CATALOG,
        as_of=AS_OF, min_confidence=0.6,
    )  # fmt: skip
    assert corrected.fields["taxpayer_name"].value == "JOHN DOE SSNXXXXX5364"
    accept_result(store, document_id, actor="bo", reason=f"checked {misread} with the client")
    rejected = reject_result(store, document_id, f"the client's {labelled} is printed", actor="bo")
    assert rejected.review_reasons == ("rejected by bo: the client's SSN:XXX-XX-5364 is printed",)
    kept = " ".join(
        [*(r.model_dump_json() for r in store.history(document_id)),
         *(entry.model_dump_json() for entry in store.audit_log(document_id))]
    )  # fmt: skip
    assert "checked XXX-XX-S364" in kept and "ana XXX-XX-5364" in kept
    store.close()
    stored = _kept_bytes(tmp_path)
    for typed in (*TYPED_SSNS, "287655364", "287-65", "2B7", "6S 5364"):
        assert typed.encode() not in stored and typed not in kept


def test_a_low_confidence_ssn_is_confirmed_only_by_the_clients_ssn_name_and_address(tmp_path: Path) -> None:
    document_id, document = _notice_pages("CP14", tmp_path)
    result = analyze_document(document_id, "cp14.pdf", document, PipelineContext.default(AS_OF), {})
    garbled_mask = result.fields["ssn_last4"].model_copy(update={"value": "1670", "confidence": 0.42})
    result = result.model_copy(update={"fields": {**result.fields, "ssn_last4": garbled_mask}})
    checks = tuple(
        Check(name=name, status=CheckStatus.PASS, detail="") for name in ("ssn_last4", "name", "address")
    )

    def ssn_reasons(*passed: Check) -> list[str]:
        validated = result.model_copy(update={"validation": Validation(checks=passed)})
        decided = decide(validated, CATALOG.get("CP14"), 0.7)
        return [reason for reason in decided.review_reasons if reason.startswith("ssn_last4")]

    assert ssn_reasons(*checks) == []
    assert ssn_reasons(*checks[:2]) != []  # the address not read: nothing confirms the digits
    failed_name = checks[1].model_copy(update={"status": CheckStatus.FAIL})
    assert ssn_reasons(checks[0], failed_name, checks[2]) != []
