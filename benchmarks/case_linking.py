"""A year of IRS mail for a firm's clients, ingested in date order: are notices about one debt linked?

    .venv/bin/python benchmarks/case_linking.py --clients 50 --seed 7 [--scans N] [--keep DIR]

Plans a year (2025) of mail for each client with the notice generator (``fixtures.generator``, classic
family, one taxpayer's name, address and SSN on all of its notices): a balance-due chain for one tax year
cut at a random step (CP14 → CP501 → CP503 → CP504 → LT11), for some clients a second open year, for some
a CP2000 with, sometimes, its revision (a CP2000 for the same year printing "This is a revised CP2000": weeks
later with another amount, or dated the original's day with its amount, which must not pass for a copy) and
a CP3219A;
for joint filers a spouse's copy of some notices (same day, another layout); for any client a re-scan or
the PDF download of a notice already stored, weeks later. Documents are born-digital PDFs (text layer, no
OCR) except ``--scans`` of the later copies, which are scanned images read by tesseract. Everything is
ingested through ``pipeline.ingest`` into a fresh SQLite store with the clients' profiles, in the order it
arrived, then read back through the store's cases and compared with the plan. Prints:

- notices in the right case: documents whose case holds exactly the documents planned for that client and
  tax year (bar: 100%);
- duplicates in the queue: planned copies that are not a copy in their case, so count as a notice (bar: 0);
  copies found where none was planned are printed too;
- supersedes right: planned revisions whose earlier notice is superseded by them (bar: 100%), and
  supersedes found where none was planned;
- queue rows == open cases: the open cases the store lists against the cases planned (bar: equal).
A script, not a test: it prints what it measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures.generator.corpus import Spec, write  # noqa: E402
from fixtures.generator.facts import CITIES, FIRST, LAST, STREETS, Facts, Line, Taxpayer, Tin, redated  # noqa: E402

BALANCE_CHAIN = ("CP14", "CP501", "CP503", "CP504", "LT11")
CHAIN_GAP = dt.timedelta(weeks=5)
SAME_DAY_REVISIONS = 0.4  # share of revisions dated their original's day, with its amount


@dataclass(frozen=True)
class Piece:
    """One document of the year's mail and what the plan says about it."""

    index: int  # the generator's document number: its layout and drawn values
    client: int
    code: str
    tax_year: int
    notice_date: dt.date
    received: dt.date
    kind: str = "pdf_text"
    copy_of: int | None = None  # the index of the piece this is another copy of
    supersedes: int | None = None  # the index of the earlier notice this one revises
    revises: dt.date | None = None  # a revision (and its copies): the date of the notice it revises


@dataclass(frozen=True)
class Client:
    number: int
    taxpayer: Taxpayer
    tin: Tin

    @property
    def is_joint(self) -> bool:
        return " & " in self.taxpayer.name or " AND " in self.taxpayer.name


def plan_year(clients: int, seed: int, scans: int) -> tuple[list[Client], list[Piece]]:
    rng = random.Random(seed)
    people = [_client(number, rng) for number in range(clients)]
    pieces: list[Piece] = []
    for client in people:
        for notice in _notices(client, rng, len(pieces)):
            pieces.append(notice)
    pieces += _copies(people, pieces, rng, scans)
    return people, sorted(pieces, key=lambda piece: (piece.received, piece.index))


def _client(number: int, rng: random.Random) -> Client:
    first, second = rng.sample(FIRST, 2)
    last = rng.choice(LAST)
    name = f"{first} & {second} {last}" if rng.random() < 0.5 else f"{first} {last}"
    street = f"{rng.randint(10, 9899)} {rng.choice(STREETS)} ST"
    city, state, zip_code = rng.choice(CITIES)
    last4 = f"{rng.randint(0, 9999):04d}"
    return Client(
        number, Taxpayer(name, street, f"{city}, {state} {zip_code}"), Tin(SSN, f"XXX-XX-{last4}", last4)
    )


def _notices(client: Client, rng: random.Random, first_index: int) -> list[Piece]:
    year = rng.choice((2022, 2023))
    start = dt.date(2025, 1, 6) + dt.timedelta(weeks=rng.randint(0, 16))
    planned = [(code, year, start + step * CHAIN_GAP) for step, code in enumerate(BALANCE_CHAIN)]
    planned = planned[: rng.randint(1, len(BALANCE_CHAIN))]
    if rng.random() < 0.3:  # a second open year
        other = start + dt.timedelta(weeks=rng.randint(2, 10))
        steps = rng.randint(1, 3)
        planned += [
            (code, year - 1, other + step * CHAIN_GAP) for step, code in enumerate(BALANCE_CHAIN[:steps])
        ]
    proposed = rng.random() < 0.35
    pieces = [
        Piece(first_index + n, client.number, code, tax_year, day, day + dt.timedelta(days=rng.randint(3, 8)))
        for n, (code, tax_year, day) in enumerate(planned)
    ]
    if proposed:
        pieces += _proposed(client, rng, year - rng.randint(0, 2), first_index + len(pieces))
    return pieces


def _proposed(client: Client, rng: random.Random, tax_year: int, index: int) -> list[Piece]:
    """A CP2000, sometimes revised (weeks later with another amount, or the same day with the same amount),
    sometimes followed by a CP3219A."""
    day = dt.date(2025, 2, 3) + dt.timedelta(weeks=rng.randint(0, 20))
    pieces = [Piece(index, client.number, "CP2000", tax_year, day, day + dt.timedelta(days=5))]
    if rng.random() < 0.6:
        revised = day if rng.random() < SAME_DAY_REVISIONS else day + dt.timedelta(weeks=rng.randint(6, 10))
        pieces.append(
            Piece(
                index + 1,
                client.number,
                "CP2000",
                tax_year,
                revised,
                revised + dt.timedelta(days=5),
                supersedes=index,
                revises=day,
            )
        )
    if rng.random() < 0.3:
        deficiency = day + dt.timedelta(weeks=18)
        pieces.append(
            Piece(
                index + len(pieces),
                client.number,
                "CP3219A",
                tax_year,
                deficiency,
                deficiency + dt.timedelta(days=6),
            )
        )
    return pieces


def _copies(clients: list[Client], originals: list[Piece], rng: random.Random, scans: int) -> list[Piece]:
    """Spouse copies of joint filers' notices (same day), then re-scans and downloads (weeks later)."""
    copies: list[Piece] = []
    next_index = len(originals)
    for piece in originals:
        if clients[piece.client].is_joint and rng.random() < 0.5:
            copies.append(replace(piece, index=next_index, copy_of=piece.index, supersedes=None))
            next_index += 1
        if rng.random() < 0.2:
            later = piece.received + dt.timedelta(days=rng.randint(10, 40))
            kind = "scan" if scans > sum(copy.kind == "scan" for copy in copies) else "pdf_text"
            copies.append(
                replace(
                    piece, index=next_index, received=later, kind=kind, copy_of=piece.index, supersedes=None
                )
            )
            next_index += 1
    return copies


# ---- writing the mail -------------------------------------------------------------------------------------


def write_mail(clients: list[Client], pieces: list[Piece], seed: int, out: Path) -> dict[int, Path]:
    """Each piece as a file; a copy prints its original's values (amount lines included) in its own layout,
    and so does a revision dated its original's day; a revision prints the marker, other notices none."""
    billing: dict[int, tuple[Line, ...]] = {}
    paths: dict[int, Path] = {}
    out.mkdir(parents=True, exist_ok=True)
    for piece in sorted(pieces, key=lambda piece: piece.copy_of is not None):
        client = clients[piece.client]
        lines = billing.get(piece.copy_of) if piece.copy_of is not None else None
        if piece.supersedes is not None and piece.notice_date == piece.revises:
            lines = billing[piece.supersedes]

        def adjust(
            facts: Facts,
            piece: Piece = piece,
            client: Client = client,
            lines: tuple[Line, ...] | None = lines,
        ) -> Facts:
            facts = redated(facts, piece.notice_date, piece.tax_year)
            facts = replace(
                facts, taxpayer=client.taxpayer, tin=client.tin, show_period=False, revises=piece.revises
            )
            return replace(facts, billing=lines) if lines is not None else facts

        spec = Spec(piece.index, seed, piece.code, piece.kind, "clean")
        truth = write(spec, out, adjust)
        billing[piece.index] = tuple(
            Line(line["label"], _cents(line["amount"])) for line in truth["billing_lines"]
        )
        paths[piece.index] = out / truth["source"]
    return paths


def _cents(amount: str) -> int:
    whole, _, cents = amount.lstrip("-").partition(".")
    value = int(whole) * 100 + int(cents or 0)
    return -value if amount.startswith("-") else value


def profiles_of(clients: list[Client]) -> list[dict]:
    return [_profile(client) for client in clients]


def _profile(client: Client) -> dict:
    name = client.taxpayer.name.replace(" AND ", " & ")
    first, _, rest = name.partition(" & ")
    surname = name.split()[-1]
    city, _, state_zip = client.taxpayer.city_line.partition(", ")
    state, zip_code = state_zip.split()
    profile = {
        "id": f"client-{client.number}",
        "name": f"{first} {surname}" if rest else name,
        "ssn_last4": client.tin.last4,
        "address": {"street": client.taxpayer.street, "city": city, "state": state, "zip": zip_code},
    }
    return {**profile, "spouse_name": rest} if rest else profile


# ---- ingesting and scoring --------------------------------------------------------------------------------


def ingest_in_order(pieces: list[Piece], paths: dict[int, Path], clients: list[Client], home: Path) -> tuple:
    from pipeline.ingest import Incoming, ingest
    from pipeline.models import Channel
    from pipeline.process import PipelineContext
    from pipeline.profiles import TaxpayerProfile
    from pipeline.settings import Settings
    from pipeline.store import open_store

    store = open_store(f"sqlite:///{home / 'noticeflow.db'}")
    profiles = tuple(TaxpayerProfile.model_validate(profile) for profile in profiles_of(clients))
    context = PipelineContext.default(dt.date(2025, 12, 31), Settings(home=home), profiles)
    documents: dict[int, str] = {}
    statuses: dict[str, int] = defaultdict(int)
    seconds: list[float] = []
    for piece in pieces:
        started = time.perf_counter()
        result = ingest(Incoming(paths[piece.index], paths[piece.index].name, Channel.CLI), context, store)
        seconds.append(time.perf_counter() - started)
        documents[piece.index] = result.document_id
        statuses[result.status.value] += 1
    return store, documents, dict(statuses), seconds


def score(store: object, pieces: list[Piece], documents: dict[int, str]) -> dict[str, object]:
    from pipeline.cases import CaseStatus
    from pipeline.store import Store

    assert isinstance(store, Store)
    planned: dict[tuple[int, int], set[str]] = defaultdict(set)
    for piece in pieces:
        planned[(piece.client, piece.tax_year)].add(documents[piece.index])
    case_of = {document: store.case_id_of(document) for document in documents.values()}
    cases = {case_id: store.case(case_id) for case_id in set(case_of.values()) if case_id is not None}
    members = {case_id: {entry.document_id for entry in case.entries} for case_id, case in cases.items()}
    entry_of = {entry.document_id: entry for case in cases.values() for entry in case.entries}
    right_case = sum(
        1 for piece in pieces
        if case_of[documents[piece.index]] is not None
        and members[case_of[documents[piece.index]]] == planned[(piece.client, piece.tax_year)]
    )  # fmt: skip
    copies = [piece for piece in pieces if piece.copy_of is not None]
    in_queue = sum(
        1 for piece in copies if entry_of[documents[piece.index]].copy_of != documents[piece.copy_of]
    )
    false_copies = sum(
        1 for piece in pieces if piece.copy_of is None and entry_of[documents[piece.index]].copy_of
    )
    revisions = [piece for piece in pieces if piece.supersedes is not None]
    supersedes_right = sum(
        1
        for piece in revisions
        if entry_of[documents[piece.supersedes]].superseded_by == documents[piece.index]
    )
    same_day = [piece for piece in revisions if piece.notice_date == piece.revises]
    earlier = {documents[piece.supersedes] for piece in revisions}
    false_supersedes = sum(
        1 for document, entry in entry_of.items() if entry.superseded_by and document not in earlier
    )
    open_rows = len(store.list_cases(status=CaseStatus.OPEN, limit=10_000))
    return {
        "documents": len(pieces),
        "right_case": right_case,
        "copies": len(copies),
        "copies_in_queue": in_queue,
        "false_copies": false_copies,
        "revisions": len(revisions),
        "same_day_revisions": len(same_day),
        "supersedes_right": supersedes_right,
        "false_supersedes": false_supersedes,
        "open_rows": open_rows,
        "planned_cases": len(planned),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scans", type=int, default=0, help="how many later copies are scanned images (OCR)")
    parser.add_argument(
        "--keep", type=Path, help="write the mail and the store here instead of a temp folder"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        clients, pieces = plan_year(args.clients, args.seed, args.scans)
        started = time.perf_counter()
        paths = write_mail(clients, pieces, args.seed, folder / "mail")
        written = time.perf_counter() - started
        store, documents, statuses, seconds = ingest_in_order(pieces, paths, clients, folder / "home")
        figures = score(store, pieces, documents)
        store.close()
    _report(args, figures, statuses, written, seconds)


def _report(
    args: argparse.Namespace, figures: dict, statuses: dict, written: float, seconds: list[float]
) -> None:
    total = figures["documents"]
    print(
        f"clients {args.clients}, seed {args.seed}, scans {args.scans}: {total} documents "
        f"({figures['copies']} copies, {figures['revisions']} revisions, "
        f"{figures['planned_cases']} cases planned)"
    )
    print(f"statuses: {', '.join(f'{name} {count}' for name, count in sorted(statuses.items()))}")
    print(
        f"written in {written:.1f} s; ingested in {sum(seconds):.1f} s "
        f"(median {statistics.median(seconds) * 1000:.0f} ms a document)"
    )
    right = figures["right_case"]
    print(f"notices in the right case: {right}/{total} ({100 * right / total:.1f}%)")
    print(
        f"duplicates in the queue: {figures['copies_in_queue']} (copies found where none was planned: "
        f"{figures['false_copies']})"
    )
    revisions = figures["revisions"] or 1
    print(
        f"supersedes right: {figures['supersedes_right']}/{figures['revisions']} "
        f"({100 * figures['supersedes_right'] / revisions:.1f}%; "
        f"supersedes not planned: {figures['false_supersedes']}; "
        f"{figures['same_day_revisions']} revisions dated their original's day)"
    )
    equal = "equal" if figures["open_rows"] == figures["planned_cases"] else "NOT equal"
    print(
        f"queue rows == open cases: {figures['open_rows']} rows, {figures['planned_cases']} cases ({equal})"
    )


SSN = "Social Security number"


if __name__ == "__main__":
    main()
