"""Choose one value for a field from its extractor's candidates.

``choose(name, candidates, findings, one_value=False) -> Field``: candidates that agree add up (the best
one's confidence plus ``AGREEMENT_BONUS`` per agreeing copy); a rival at least ``STRONG`` that disagrees is
appended to ``findings`` ("tax_year: the notice also shows 2022 (chose 2023)") and lowers the chosen
confidence. For a field a notice prints one value of wherever it prints it (``one_value``: the SSN), a rival
read alike in two places or more at ``REPEATED_RIVAL`` or above is as strong: two copies that agree are no
misreading (a header's "XXX-xx-3379" read at 0.85 beside two later pages' "xxx-xx-5379"). No candidate
gives an empty ``Field``. ``to_field`` turns one candidate into a ``Field`` with its provenance.
"""

from __future__ import annotations

from collections import defaultdict

from extractors.text import Candidate
from pipeline.models import DeadlineKind, Field

STRONG = 0.75  # a candidate this confident that disagrees with the chosen value needs a person
REPEATED_RIVAL = 0.5
AGREEMENT_BONUS = 0.03
RIVAL_PENALTY = 0.2


def to_field(candidate: Candidate, confidence: float, kind: DeadlineKind | None = None) -> Field:
    return Field(
        value=candidate.value,
        confidence=round(min(confidence, 1.0), 3),
        page=candidate.page,
        bbox=candidate.bbox,
        raw=candidate.raw,
        rule=candidate.rule,
        kind=kind,
    )


def choose(name: str, candidates: list[Candidate], findings: list[str], one_value: bool = False) -> Field:
    """The best-supported value: its best candidate's confidence, plus a little per agreeing candidate."""
    if not candidates:
        return Field()
    support: dict[object, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        support[candidate.value].append(candidate)

    def score(group: list[Candidate]) -> float:
        return max(c.confidence for c in group) + AGREEMENT_BONUS * (len(group) - 1)

    value, group = max(support.items(), key=lambda item: score(item[1]))
    rivals = sorted({str(v) for v, g in support.items() if v != value and _strong(g, one_value)})
    if rivals:
        findings.append(f"{name}: the notice also shows {', '.join(rivals)} (chose {value})")
    best = max(group, key=lambda c: c.confidence)
    return to_field(best, score(group) - (RIVAL_PENALTY if rivals else 0.0))


def _strong(group: list[Candidate], one_value: bool) -> bool:
    """One reading at least ``STRONG``, or (``one_value``) readings in two places at ``REPEATED_RIVAL``."""
    if max(c.confidence for c in group) >= STRONG:
        return True
    return one_value and len({(c.page, c.bbox) for c in group if c.confidence >= REPEATED_RIVAL}) >= 2
