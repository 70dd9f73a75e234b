"""Golden tests over the committed samples in ``fixtures/samples``.

Each sample ``NAME.<ext>`` has ``NAME.truth.json`` (what the generator printed), ``golden/NAME.ocr.json``
(the OCR that the real tesseract produced, recorded) and ``golden/NAME.result.json`` (the expected result).
The test replays the recorded OCR through everything after OCR and compares the result's JSON with the
expected one; reviewers read the JSON diff. ``pytest --update-goldens`` rewrites the expected results;
add ``--record-ocr`` to re-record the OCR with the real tesseract first. Adding a notice type means adding
a sample: a catalog code without one fails ``test_every_notice_type_has_a_sample``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.catalog import load_catalog
from pipeline.fields import CORE_FIELDS
from pipeline.load import load_document
from pipeline.models import (
    Category,
    CheckStatus,
    NoticeResult,
    OcrDocument,
    Priority,
    Status,
    ValidationStatus,
)
from pipeline.process import PipelineContext, analyze_document, mask_document, read_pages
from pipeline.profiles import load_profiles
from pipeline.validate import validate_against_profile

SAMPLES = Path(__file__).parent.parent / "fixtures" / "samples"
GOLDEN = SAMPLES / "golden"
AS_OF = dt.date(2026, 11, 28)  # after every sample's notice date
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.iterdir() if p.is_file() and p.suffix not in (".json", ".md"))


def _truth(name: str) -> dict:
    return json.loads((SAMPLES / f"{Path(name).stem}.truth.json").read_text())


def _record_ocr(name: str, context: PipelineContext) -> OcrDocument:
    loaded = load_document(SAMPLES / name, context.settings.load_limits)
    document, _ = mask_document(read_pages(loaded, context, {}))
    (GOLDEN / f"{name}.ocr.json").write_text(document.model_dump_json(indent=1) + "\n")
    return document


def _result(name: str, context: PipelineContext, record: bool) -> NoticeResult:
    if record:
        document = _record_ocr(name, context)
    else:
        document = OcrDocument.model_validate_json((GOLDEN / f"{name}.ocr.json").read_text())
    document_id = load_document(SAMPLES / name).document_id
    return analyze_document(document_id, f"fixtures/samples/{name}", document, context, {})


def _comparable(result: NoticeResult) -> dict:
    data = result.model_dump(mode="json")
    data.pop("timings")
    return data


@pytest.fixture(scope="module")
def context() -> PipelineContext:
    return PipelineContext.default(AS_OF, profiles=load_profiles(SAMPLES / "profiles.json"))


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_matches_golden(
    name: str, context: PipelineContext, update_goldens: bool, record_ocr: bool
) -> None:
    result = _comparable(_result(name, context, record_ocr))
    expected_path = GOLDEN / f"{name}.result.json"
    if update_goldens:
        expected_path.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    assert result == json.loads(expected_path.read_text())


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_wrong_value_is_sent_to_a_person(name: str, context: PipelineContext) -> None:
    """The product's first rule, on every sample: a processed result carries no wrong or missing value,
    and a result in review names each core field it did not read right."""
    result = _result(name, context, record=False)
    truth = _truth(name)["fields"]
    wrong = [f for f in CORE_FIELDS if result.field_value(f) != truth[f]]
    if result.status is Status.PROCESSED:
        assert wrong == []
    elif not result.review_reasons[0].startswith("notice type not recognized"):  # else a person reads all
        unexplained = [f for f in wrong if not any(f in reason for reason in result.review_reasons)]
        assert unexplained == [], (wrong, result.review_reasons)


def test_every_notice_type_has_a_sample() -> None:
    sampled = {_truth(name)["notice_type"] for name in SAMPLE_NAMES}
    missing = {notice.code for notice in load_catalog().notices} - sampled
    assert not missing, f"add a sample for {sorted(missing)} (python -m fixtures.generator --types ...)"


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_category_and_levy_priority(name: str, context: PipelineContext) -> None:
    """The right category for every recognized sample; levy and deficiency notices never below high."""
    result = _result(name, context, record=False)
    truth = load_catalog().get(_truth(name)["notice_type"])
    assert truth is not None
    if result.notice_type and result.notice_type.code == truth.code:
        assert result.triage.category is truth.category
    if truth.category in (Category.INTENT_TO_LEVY, Category.DEFICIENCY):
        assert result.triage.priority in (Priority.CRITICAL, Priority.HIGH)


def test_validation_passes_for_the_right_profile_and_fails_for_a_wrong_one(context: PipelineContext) -> None:
    result = _result("notice_0011.pdf", context, record=False)
    profiles = {profile.id: profile for profile in context.profiles}
    notice = load_catalog().get("CP503")
    right = validate_against_profile(
        result.fields, result.billing_lines, notice, profiles["client-11"], AS_OF
    )
    wrong = validate_against_profile(result.fields, result.billing_lines, notice, profiles["client-4"], AS_OF)
    assert result.profile_id == "client-11"
    assert right.status in (ValidationStatus.PASS, ValidationStatus.PARTIAL)
    assert not any(check.status is CheckStatus.FAIL for check in right.checks)
    assert wrong.status is ValidationStatus.FAIL
    assert {c.name for c in wrong.checks if c.status is CheckStatus.FAIL} >= {"ssn_last4", "name", "address"}


def test_a_code_not_in_the_catalog_keeps_every_field_and_is_named_for_review(
    context: PipelineContext,
) -> None:
    """A notice the catalog does not know (here the CP23 sample with its code changed) still gets every field
    the page carries, and goes to a person with a reason that names the printed code."""
    recorded = (GOLDEN / "notice_0045.pdf.ocr.json").read_text()
    assert load_catalog().get("CP2899") is None and '"CP23"' in recorded
    document = OcrDocument.model_validate_json(recorded.replace("CP23", "CP2899"))
    result = analyze_document("unknown-code", "fixtures/samples/notice_0045.pdf", document, context, {})
    truth = _truth("notice_0045.pdf")["fields"]
    assert result.status is Status.NEEDS_REVIEW
    assert any("CP2899" in reason for reason in result.review_reasons)
    assert result.notice_type.code == "CP2899" and result.triage.category is Category.UNKNOWN
    assert {f: result.field_value(f) for f in CORE_FIELDS} == {
        **{f: truth[f] for f in CORE_FIELDS},
        "notice_number": "CP2899",
    }
    assert (
        result.fields["deadline"].kind is not None
        and result.field_value("taxpayer_name") == truth["taxpayer_name"]
    )
