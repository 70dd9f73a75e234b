"""Accuracy benchmark: generate a fresh synthetic corpus of one layout family, read it, and print how right
noticeflow is and whether "processed" can be trusted.

    .venv/bin/python benchmarks/accuracy.py --family irs --count 100 --seed 7
    .venv/bin/python benchmarks/accuracy.py --corpus DIR      # an existing corpus with truth.jsonl
    .venv/bin/python benchmarks/accuracy.py --corpus DIR --reuse-ocr   # OCR kept in DIR/ocr/ and reused
    .venv/bin/python benchmarks/accuracy.py --corpus DIR --reuse-ocr --only-periods  # tables of periods only
    .venv/bin/python benchmarks/accuracy.py --corpus DIR --reuse-ocr --profiles  # as a firm with its clients

Prints per-field accuracy of the core fields (declared in ``pipeline.fields``; a field counts as right
only when its value equals the truth; a missing value is wrong), accuracy by degradation and by kind, the
share ``processed`` by kind, every wrong or omitted value inside a ``processed`` result over every
registered field the truth records and every value of a table of tax periods (the numbers that must be
zero), how many results went to review with every printed value read right (correct notices a person
must check: the second number to bring down), period accuracy (rows read whole and right / rows printed,
tables read exactly, tables read where the notice prints none), and a risk/coverage table: for each
decision threshold (``min_confidence``), the share processed and the wrong and omitted values among them.
The OCR is read once; each threshold re-decides from it. Exits 1 when a processed result holds a wrong or
omitted value at the default threshold.

Without ``--profiles`` every notice is read as a stranger's: no client profile to check it against. With
it, the run reads as a firm whose clients the notices are addressed to: ``client_profiles`` gives each
taxpayer of the truth a profile as a preparer keeps one (the name and a spouse's from a joint name, title
case; the SSN's last four, or a stand-in when the notice prints none; the mailing address; no returns, so
the filing and payment checks stay unknown), and the name, SSN and address checks run on every notice.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import regex

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractors.party import joint_people  # noqa: E402
from fixtures.generator.corpus import FAMILIES  # noqa: E402
from pipeline.errors import NoticeflowError  # noqa: E402
from pipeline.fields import CORE_FIELDS, FIELD_NAMES  # noqa: E402
from pipeline.load import load_document  # noqa: E402
from pipeline.models import DeadlineKind, FieldValue, NoticeResult, OcrDocument, Status  # noqa: E402
from pipeline.process import PipelineContext, analyze_document, mask_document, read_pages  # noqa: E402
from pipeline.profiles import Address, TaxpayerProfile  # noqa: E402
from pipeline.settings import Settings  # noqa: E402

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
AS_OF = dt.date(2027, 6, 1)  # after every notice date the generator prints
_ADDRESS = regex.compile(r"(.+), ([^,]+), ([A-Z]{2}) (\d{5}(?:-\d{4})?)")  # as the generator prints one


def generate(out: Path, count: int, seed: int, family: str) -> None:
    command = [sys.executable, "-m", "fixtures.generator", "--out", str(out), "--count", str(count)]
    command += ["--seed", str(seed), "--family", family]
    subprocess.run(command, check=True, cwd=Path(__file__).resolve().parent.parent)


def load_truth(corpus: Path) -> list[dict]:
    return [json.loads(line) for line in (corpus / "truth.jsonl").read_text().splitlines() if line.strip()]


def _same(name: str, value: object, truth: object) -> bool:
    if isinstance(value, str) and isinstance(truth, str):
        if name == "taxpayer_name":  # the truth keeps one form of a joint name; a notice prints several
            return _name_words(value) == _name_words(truth)
        return " ".join(value.upper().split()) == " ".join(truth.upper().split())
    return value == truth


def _name_words(name: str) -> set[str]:
    return set(name.upper().replace("&", " ").split()) - {"AND"}


def printed_value(result: NoticeResult, name: str, expected: object) -> FieldValue:
    """The result's value as a reading of the notice: a deadline of kind ``published`` on a notice that
    prints none is the catalog's window, not a reading (no value); on a notice that prints one it is
    compared like any value (right only when it is that date)."""
    field = result.fields.get(name)
    if field is None or (field.kind is DeadlineKind.PUBLISHED and expected is None):
        return None
    return field.value


def compare(result: NoticeResult, truth: dict, names: tuple[str, ...] = CORE_FIELDS) -> dict[str, bool]:
    expected = truth["fields"]
    return {
        name: _same(name, printed_value(result, name, expected.get(name)), expected.get(name))
        for name in names
    }


def untrusted_values(result: NoticeResult, truth: dict) -> tuple[list[str], list[str]]:
    """(wrong, omitted) printed values of a result, each as a line naming the field. A field the truth does
    not record (a corpus written before the field was declared) is neither."""
    wrong, omitted = [], []
    for name in (name for name in FIELD_NAMES if name in truth["fields"]):
        expected = truth["fields"][name]
        value = printed_value(result, name, expected)
        if _same(name, value, expected):
            continue
        line = f"  {truth['source']} ({truth['kind']}): {name} = {value!r}, truth {expected!r}"
        (omitted if value is None else wrong).append(line)
    bad, missing = period_errors(result, truth)
    return wrong + bad, omitted + missing


def read_right(result: NoticeResult, truth: dict) -> bool:
    """Every printed value right: a result sent to review like this is a correct notice a person checks."""
    return not any(untrusted_values(result, truth))


PERIOD_VALUES = ("form", "period_end", "amount")


def period_errors(result: NoticeResult, truth: dict) -> tuple[list[str], list[str]]:
    """(wrong, omitted) values of the table of tax periods, row by row in printed order: a row read that
    the notice does not print is wrong in every value, a printed row not read is omitted in every value."""
    printed, read = truth.get("periods", []), [period.model_dump() for period in result.periods]
    wrong, omitted = [], []
    for index in range(max(len(printed), len(read))):
        expected = printed[index] if index < len(printed) else dict.fromkeys(PERIOD_VALUES)
        got = read[index] if index < len(read) else dict.fromkeys(PERIOD_VALUES)
        for name in PERIOD_VALUES:
            if got[name] == expected[name]:
                continue
            line = f"  {truth['source']} ({truth['kind']}): period {index + 1} {name} = {got[name]!r}, "
            line += f"truth {expected[name]!r}"
            (omitted if got[name] is None else wrong).append(line)
    return wrong, omitted


def period_rows_right(result: NoticeResult, truth: dict) -> int:
    """How many printed rows of the table were read whole and right, in their place."""
    read = [{name: period.model_dump()[name] for name in PERIOD_VALUES} for period in result.periods]
    return sum(1 for got, expected in zip(read, truth.get("periods", []), strict=False) if got == expected)


class Tally:
    def __init__(self) -> None:
        self.right: Counter[str] = Counter()
        self.total: Counter[str] = Counter()

    def add(self, key: str, right: bool) -> None:
        self.total[key] += 1
        self.right[key] += right

    def line(self, key: str) -> str:
        share = 100 * self.right[key] / self.total[key]
        return f"{key:<16} {self.right[key]:>4}/{self.total[key]:<4} {share:6.2f}%"


def read_corpus(
    corpus: Path, truths: list[dict], context: PipelineContext, reuse: bool
) -> list[OcrDocument | str]:
    """Each document's masked OCR (or the error code it failed with), read once; kept in corpus/ocr/ when
    ``reuse`` so that a later run re-decides without OCR."""
    cache = corpus / "ocr"
    if reuse:
        cache.mkdir(exist_ok=True)

    def read(truth: dict) -> OcrDocument | str:
        recorded = cache / f"{truth['source']}.json"
        if reuse and recorded.exists():
            return OcrDocument.model_validate_json(recorded.read_text())
        try:
            loaded = load_document(corpus / truth["source"], context.settings.load_limits)
            document, _ = mask_document(read_pages(loaded, context, {}))
        except NoticeflowError as error:
            return error.code
        if reuse:
            recorded.write_text(document.model_dump_json())
        return document

    with ThreadPoolExecutor(max_workers=context.settings.workers) as pool:
        return list(pool.map(read, truths))


def client_profiles(truths: list[dict]) -> tuple[TaxpayerProfile, ...]:
    """One profile per taxpayer (name and address) the truth names, with the SSN last 4 a notice prints."""
    people: dict[tuple[str, str], str | None] = {}
    for truth in truths:
        fields = truth["fields"]
        name, address = fields.get("taxpayer_name"), fields.get("address")
        if name and _ADDRESS.fullmatch(address or ""):
            people[(name, address)] = people.get((name, address)) or fields.get("ssn_last4")
    return tuple(
        _client_profile(f"client-{index}", name, ssn_last4 or _stand_in_last4(name), address)
        for index, ((name, address), ssn_last4) in enumerate(people.items(), start=1)
    )


def _client_profile(
    client_id: str, printed_name: str, ssn_last4: str, printed_address: str
) -> TaxpayerProfile:
    people = [" ".join(person).title() for person in joint_people(printed_name)] or [printed_name.title()]
    street, city, state, zip_code = _ADDRESS.fullmatch(printed_address).groups()  # type: ignore[union-attr]
    return TaxpayerProfile(
        id=client_id,
        name=people[0],
        spouse_name=people[1] if len(people) > 1 else None,
        ssn_last4=ssn_last4,
        address=Address(street=street.title(), city=city.title(), state=state, zip=zip_code),
    )


def _stand_in_last4(name: str) -> str:
    """The client's SSN when the notice prints none: the firm knows it, the notice cannot contradict it."""
    return f"{int(hashlib.sha256(name.encode()).hexdigest(), 16) % 10_000:04d}"


def decide(
    documents: list[OcrDocument | str], truths: list[dict], context: PipelineContext
) -> list[NoticeResult]:
    results = []
    for document, truth in zip(documents, truths, strict=True):
        if isinstance(document, str):
            results.append(NoticeResult(document_id="", source=truth["source"], status=Status.FAILED))
        else:
            results.append(analyze_document("", truth["source"], document, context, {}))
    return results


def report(results: list[NoticeResult], truths: list[dict]) -> tuple[list[str], list[str]]:
    by_field, by_degradation, by_kind, overall = Tally(), Tally(), Tally(), Tally()
    processed_by_kind = Tally()
    held_right = 0
    wrong: list[str] = []
    omitted: list[str] = []
    for result, truth in zip(results, truths, strict=True):
        for name, right in compare(result, truth).items():
            by_field.add(name, right)
            by_degradation.add(truth["degradation"], right)
            by_kind.add(truth["kind"], right)
            overall.add("core fields", right)
        is_processed = result.status is Status.PROCESSED
        processed_by_kind.add(truth["kind"], is_processed)
        processed_by_kind.add("all", is_processed)
        if is_processed:
            bad, missing = untrusted_values(result, truth)
            wrong += bad
            omitted += missing
        elif result.status is Status.NEEDS_REVIEW and read_right(result, truth):
            held_right += 1
    print_period_accuracy(results, truths)
    statuses = Counter(result.status.value for result in results)
    pages = sum(result.pages for result in results)
    print(f"documents {len(results)}, pages {pages}, statuses {dict(statuses)}")
    for title, tally in (("field", by_field), ("degradation", by_degradation), ("kind", by_kind)):
        print(f"\nby {title}:")
        for key in sorted(tally.total):
            print("  " + tally.line(key))
    print("\n" + overall.line("core fields"))
    print("\nprocessed share by kind:")
    for key in sorted(processed_by_kind.total):
        print("  " + processed_by_kind.line(key))
    print(f"needs_review with every printed value read right: {held_right}")
    for title, lines in (("wrong", wrong), ("omitted", omitted)):
        print(f"{title} values in processed results: {len(lines)}")
        for line in lines:
            print(line)
    return wrong, omitted


def print_period_accuracy(results: list[NoticeResult], truths: list[dict]) -> None:
    """Rows right / rows printed, and tables read exactly (every row right, none extra), over the documents
    whose truth lists tax periods; and tables read where the notice prints none."""
    tables = [(r, t) for r, t in zip(results, truths, strict=True) if t.get("periods")]
    rows = sum(len(t["periods"]) for _, t in tables)
    right = sum(period_rows_right(r, t) for r, t in tables)
    exact = sum(1 for r, t in tables if not any(period_errors(r, t)))
    extra = sum(1 for r, t in zip(results, truths, strict=True) if r.periods and not t.get("periods"))
    if not tables:
        print(f"tax periods: no table printed in this corpus; tables read where none is printed: {extra}")
        return
    print(f"tax periods: rows right {right}/{rows} {100 * right / rows:.2f}%, exact tables "
          f"{exact}/{len(tables)} {100 * exact / len(tables):.2f}%, "
          f"tables read where none is printed: {extra}")  # fmt: skip


def risk_coverage(documents: list[OcrDocument | str], truths: list[dict], context: PipelineContext) -> None:
    print("\nrisk/coverage (min_confidence: processed share; wrong and omitted values among processed):")
    for threshold in THRESHOLDS:
        settings = context.settings.model_copy(update={"min_confidence": threshold})
        results = decide(documents, truths, dataclasses.replace(context, settings=settings))
        processed = [(r, t) for r, t in zip(results, truths, strict=True) if r.status is Status.PROCESSED]
        counts = [untrusted_values(r, t) for r, t in processed]
        wrong, omitted = sum(len(w) for w, _ in counts), sum(len(o) for _, o in counts)
        share = 100 * len(processed) / len(results)
        print(f"  {threshold:.2f}: processed {len(processed):>4}/{len(results):<4} {share:6.2f}%  "
              f"wrong {wrong}  omitted {omitted}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, help="existing corpus (with truth.jsonl); default: generate one"
    )
    parser.add_argument("--family", choices=FAMILIES, default="classic", help="layout family to generate")
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--reuse-ocr", action="store_true", help="keep OCR in CORPUS/ocr and reuse it")
    parser.add_argument("--show-reasons", action="store_true", help="print why each needs_review result is")
    parser.add_argument(
        "--only-periods", action="store_true", help="read only the documents whose truth lists tax periods"
    )
    parser.add_argument(
        "--profiles", action="store_true", help="check every notice against its client's profile, as a firm"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="noticeflow-bench-") as scratch:
        corpus = args.corpus or Path(scratch)
        if args.corpus is None:
            generate(corpus, args.count, args.seed, args.family)
        truths = load_truth(corpus)
        if args.only_periods:
            truths = [truth for truth in truths if truth.get("periods")]
        settings = Settings() if args.workers is None else Settings(workers=args.workers)
        profiles = client_profiles(truths) if args.profiles else ()
        context = PipelineContext.default(AS_OF, settings, profiles)
        if args.profiles:
            print(f"checked against {len(profiles)} client profiles built from the truth")
        start = time.perf_counter()
        documents = read_corpus(corpus, truths, context, args.reuse_ocr)
        seconds = time.perf_counter() - start
        results = decide(documents, truths, context)
        if args.show_reasons:
            _print_reasons(results, truths)
        wrong, omitted = report(results, truths)
        risk_coverage(documents, truths, context)
        pages = sum(result.pages for result in results)
        print(f"\nread {pages} pages in {seconds:.1f} s wall")
        return 1 if wrong or omitted else 0


def _print_reasons(results: list[NoticeResult], truths: list[dict]) -> None:
    grouped: defaultdict[str, list[str]] = defaultdict(list)
    for result, truth in zip(results, truths, strict=True):
        mark = " [read right]" if result.status is Status.NEEDS_REVIEW and read_right(result, truth) else ""
        for reason in result.review_reasons or ([result.error.message] if result.error else []):
            line = f"{truth['source']} ({truth['notice_type']}){mark}: {reason}"
            grouped[truth["degradation"]].append(line)
    for degradation, reasons in sorted(grouped.items()):
        print(f"[{degradation}]")
        print("\n".join("  " + reason for reason in reasons))


if __name__ == "__main__":
    raise SystemExit(main())
