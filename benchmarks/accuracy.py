"""Accuracy benchmark: generate a fresh synthetic corpus, read it, and print how right noticeflow is.

    .venv/bin/python benchmarks/accuracy.py --count 60 --seed 7
    .venv/bin/python benchmarks/accuracy.py --corpus DIR      # an existing corpus with truth.jsonl

Prints per-field accuracy (a field counts as right only when its value equals the truth; a missing value
is wrong), accuracy by degradation and by kind, status counts, every wrong value inside a ``processed``
result (the number that must be zero), and pages per minute of the whole run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.models import NoticeResult, Status  # noqa: E402
from pipeline.process import PipelineContext, process_batch  # noqa: E402
from pipeline.settings import Settings  # noqa: E402

CORE_FIELDS = ("notice_number", "tax_year", "ssn_last4", "amount_due", "deadline", "notice_date")


def generate(out: Path, count: int, seed: int) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "fixtures.generator",
            "--out",
            str(out),
            "--count",
            str(count),
            "--seed",
            str(seed),
        ],
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )


def load_truth(corpus: Path) -> list[dict]:
    return [json.loads(line) for line in (corpus / "truth.jsonl").read_text().splitlines() if line.strip()]


def compare(result: NoticeResult, truth: dict) -> dict[str, bool]:
    return {name: result.field_value(name) == truth["fields"].get(name) for name in CORE_FIELDS}


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


def report(results: list[NoticeResult], truths: list[dict], seconds: float) -> int:
    by_field, by_degradation, by_kind, overall = Tally(), Tally(), Tally(), Tally()
    wrong_processed: list[str] = []
    statuses = Counter(result.status.value for result in results)
    for result, truth in zip(results, truths, strict=True):
        for name, right in compare(result, truth).items():
            by_field.add(name, right)
            by_degradation.add(truth["degradation"], right)
            by_kind.add(truth["kind"], right)
            overall.add("all fields", right)
            if not right and result.status is Status.PROCESSED:
                wrong_processed.append(
                    f"  {truth['source']}: {name} = {result.field_value(name)!r}, "
                    f"truth {truth['fields'].get(name)!r}"
                )
    pages = sum(result.pages for result in results)
    print(f"documents {len(results)}, pages {pages}, statuses {dict(statuses)}")
    for title, tally in (("field", by_field), ("degradation", by_degradation), ("kind", by_kind)):
        print(f"\nby {title}:")
        for key in sorted(tally.total):
            print("  " + tally.line(key))
    print("\n" + overall.line("all fields"))
    print(f"wrong values in processed results: {len(wrong_processed)}")
    print("\n".join(wrong_processed))
    print(f"pages per minute: {60 * pages / seconds:.1f} ({seconds:.1f} s wall)")
    return 1 if wrong_processed else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, help="existing corpus (with truth.jsonl); default: generate one"
    )
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--show-reasons", action="store_true", help="print why each needs_review result is")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="noticeflow-bench-") as scratch:
        corpus = args.corpus or Path(scratch)
        if args.corpus is None:
            generate(corpus, args.count, args.seed)
        truths = load_truth(corpus)
        settings = Settings() if args.workers is None else Settings(workers=args.workers)
        # After every notice date the generator prints, so "notice date in the future" never fires.
        context = PipelineContext.default(dt.date(2027, 6, 1), settings)
        start = time.perf_counter()
        with process_batch([corpus / truth["source"] for truth in truths], context) as batch:
            results = list(batch)
        seconds = time.perf_counter() - start
        if args.show_reasons:
            _print_reasons(results, truths)
        return report(results, truths, seconds)


def _print_reasons(results: list[NoticeResult], truths: list[dict]) -> None:
    grouped: defaultdict[str, list[str]] = defaultdict(list)
    for result, truth in zip(results, truths, strict=True):
        for reason in result.review_reasons or ([result.error.message] if result.error else []):
            grouped[truth["degradation"]].append(f"{truth['source']}: {reason}")
    for degradation, reasons in sorted(grouped.items()):
        print(f"[{degradation}]")
        print("\n".join("  " + reason for reason in reasons))


if __name__ == "__main__":
    raise SystemExit(main())
