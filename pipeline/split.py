"""Cut a document that holds several notices (a clerk's scanned stack) into notices, from the pages as read.

``plan_split(document) -> SplitPlan`` reads evidence from each page of the ``OcrDocument`` already read
(no second OCR), with the extractors every notice is read with:
- a printed page counter: "Page 1 of 3" starts a notice, "Page 2 of 3" after "Page 1 of 3" continues one,
  and the page after "Page 3 of 3" starts the next (OCR damage such as "Paqe l of 3" is read too);
- the notice code in a header or footer ("Notice CP14", "Letter 5747C": ``find_notice_numbers``): another
  code than the notice's starts a new one; a code the catalog does not know counts for less (OCR misreads
  codes: a low-resolution "CP501" read "CP5501" must not outweigh "Page 2 of 2" on the next page);
- the SSN last 4 (``find_ssn_last4``) and the taxpayer's name (``find_taxpayer``): another taxpayer starts
  a new notice; a taxpayer address block in the top half of the page is a notice's first page;
- a stub that ends a notice ("Detach ...", "Amount enclosed", "Amount you paid", "return this page/stub"):
  the next page starts another;
- blank pages (separator sheets, duplex blank backs: fewer than ``MIN_WORDS`` confident words, or an OCR'd
  page that reads as garbage and shows none of the evidence above: a back the front shows through) belong
  to no notice; a blank page between two pages adds a little to a cut there, never makes one alone.
Each boundary between two non-blank pages weighs the evidence for a new notice against the evidence for the
same one; a cut needs a weight of 1 at least (a blank page alone never cuts). A cut, or a page kept with the
notice before it despite evidence for a cut, is certain when one side outweighs the other by
``SURE_WEIGHT``; otherwise the plan is uncertain and says where (``SplitCut.is_certain`` False;
``doubts`` words the review reason). A document of one notice gives one segment: it is read as before.

``segment_documents(document, plan)`` gives each notice's pages (blank pages left out) as an
``OcrDocument`` with the original page numbers, for ``pipeline.process.analyze_document``.
``plan_from_cuts(document, starts)`` is the plan a person chose (first pages of the notices), for
``pipeline.process.rederive``. ``child_id(parent_id, segment)`` is a notice's document id:
``<sha256>:p<first>-<last>``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import regex

from extractors.notice_number import find_notice_numbers
from extractors.party import find_taxpayer
from extractors.ssn import find_ssn_last4
from extractors.text import TextLine, fuzzy_label, repair_digits
from pipeline.catalog import load_catalog
from pipeline.extract import to_text_lines
from pipeline.models import OcrDocument, OcrPage, PageSource, Segment, SplitCut, SplitPlan
from pipeline.ocr import reading_quality

MIN_WORDS = 4  # confident dictionary-like words: a page with fewer is blank (a separator, a blank back)
SHOW_THROUGH_CONFIDENCE = 0.5  # mean word confidence below which a page that says nothing is blank
TOP_SHARE = 0.4  # a taxpayer address block above this share of the page's height opens a notice
SURE_WEIGHT = 2.0
# "Page 2 of 5", and as OCR damages it: "Paqe 2 of 5", "Page l of 3", "Page 2 ef 5", "Page 2 0f 5" ("of" with
# one letter misread).
_COUNTER = regex.compile(
    rf"(?<![A-Za-z]){fuzzy_label('Page', 1)}\s*(?P<k>[0-9lIOo]{{1,2}})\s+(?:[o0][a-z]|[a-z]f)\s+"
    r"(?P<n>[0-9lIOo]{1,2})(?![0-9])",
    regex.IGNORECASE,
)
_STUB = regex.compile(
    r"(?:detach(?:\s+(?:here|this|and))?|amount\s+enclosed|amount\s+you\s+paid"
    r"|return\s+this\s+(?:page|stub|part|voucher)|include\s+this\s+stub|payment\s+voucher){e<=1}",
    regex.IGNORECASE,
)
_SURE_CODE_RULES = ("labelled", "letter")


@dataclass(frozen=True)
class PageEvidence:
    """What one page says about where it sits in a notice."""

    number: int
    is_blank: bool
    counter: tuple[int, int] | None = None  # "Page k of n"
    code: str | None = None
    ssn_last4: frozenset[str] = frozenset()
    taxpayer: str | None = None
    has_top_address: bool = False
    has_stub: bool = False


def read_evidence(page: OcrPage) -> PageEvidence:
    """The page's evidence; a blank page carries none. A page read with a low mean confidence and no
    evidence at all is blank too: the back of a sheet whose front shows through reads as mirrored garbage
    (mean word confidence 0.1-0.35 on the benchmark's stacks; its printed pages 0.86 and more)."""
    quality = reading_quality(page)
    if quality.score < MIN_WORDS and _confident_words(page) < MIN_WORDS:
        return PageEvidence(page.number, is_blank=True)
    lines = to_text_lines(OcrDocument(pages=(page,)))
    name, _ = find_taxpayer(lines)
    is_top = name is not None and name.bbox is not None and name.bbox[1] < TOP_SHARE * page.height
    evidence = PageEvidence(
        number=page.number,
        is_blank=False,
        counter=_counter(lines),
        code=_code(lines),
        ssn_last4=frozenset(str(c.value) for c in find_ssn_last4(lines) if c.value is not None),
        taxpayer=str(name.value) if name is not None else None,
        has_top_address=is_top,
        has_stub=any(_STUB.search(line.text) for line in lines),
    )
    confidences = [line.confidence for line in page.lines]
    is_garbage = page.source is PageSource.OCR and sum(confidences) < SHOW_THROUGH_CONFIDENCE * len(
        confidences
    )
    return PageEvidence(page.number, is_blank=True) if is_garbage and _says_nothing(evidence) else evidence


def _says_nothing(page: PageEvidence) -> bool:
    return not (page.counter or page.code or page.ssn_last4 or page.taxpayer or page.has_stub)


def _confident_words(page: OcrPage) -> int:
    """Words of a text-layer page (or lines masked without their words): its words are its text."""
    return sum(len(line.text.split()) for line in page.lines if not line.words)


def _counter(lines: list[TextLine]) -> tuple[int, int] | None:
    for line in lines:
        for match in _COUNTER.finditer(line.text):
            k, n = repair_digits(match.group("k")), repair_digits(match.group("n"))
            if k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n) <= 99:
                return int(k), int(n)
    return None


def _code(lines: list[TextLine]) -> str | None:
    """The code the page prints most in a header, footer or stub row ("Notice CP14", "Letter 5747C")."""
    codes = Counter(
        str(c.value) for c in find_notice_numbers(lines) if c.rule in _SURE_CODE_RULES and c.value
    )
    return codes.most_common(1)[0][0] if codes else None


@dataclass(frozen=True)
class _Boundary:
    """The evidence for and against a new notice at a page."""

    new: tuple[tuple[str, float], ...]
    same: tuple[tuple[str, float], ...]

    @property
    def is_cut(self) -> bool:
        return self.weight(self.new) >= 1.0 and self.weight(self.new) > self.weight(self.same)

    @property
    def is_certain(self) -> bool:
        return abs(self.weight(self.new) - self.weight(self.same)) >= SURE_WEIGHT

    @staticmethod
    def weight(evidence: tuple[tuple[str, float], ...]) -> float:
        return sum(weight for _, weight in evidence)


def _weigh(page: PageEvidence, previous: PageEvidence, notice: _Notice, blank_between: bool) -> _Boundary:
    new: list[tuple[str, float]] = []
    same: list[tuple[str, float]] = []
    if page.counter is not None:
        k, n = page.counter
        if k == 1:
            new.append((f"page {page.number} prints 'Page 1 of {n}'", 2.0))
        elif previous.counter == (k - 1, n):
            same.append((f"page {page.number} prints 'Page {k} of {n}' after 'Page {k - 1} of {n}'", 4.0))
        else:
            same.append((f"page {page.number} prints 'Page {k} of {n}'", 1.0))
    if previous.counter is not None:
        k, n = previous.counter
        if k == n:
            new.append((f"page {previous.number} printed 'Page {k} of {n}': its notice ended", 1.5))
        elif page.counter is None:
            same.append((f"page {previous.number} printed 'Page {k} of {n}': more pages follow", 1.0))
    if page.code and notice.code and page.code != notice.code:
        known = all(load_catalog().get(code) is not None for code in (page.code, notice.code))
        new.append((f"notice code {page.code} after {notice.code}", 2.5 if known else 1.0))
    if page.ssn_last4 and notice.ssn_last4 and not page.ssn_last4 & notice.ssn_last4:
        new.append(("another SSN last 4", 2.0))
    if page.taxpayer and notice.taxpayer and _other_name(page.taxpayer, notice.taxpayer):
        new.append((f"another taxpayer name ({page.taxpayer})", 1.0))
    if page.has_top_address:
        new.append((f"a taxpayer address block at the top of page {page.number}", 1.0))
    if previous.has_stub:
        new.append((f"a stub ended page {previous.number}", 1.0))
    if blank_between:
        new.append(("a blank page before it", 0.5))
    return _Boundary(tuple(new), tuple(same))


def _other_name(name: str, known: str) -> bool:
    """Neither name's words hold the other's: "ANN LEE & BO LEE" on a stub is the "ANN LEE" of page 1."""
    words, known_words = set(name.split()) - {"&", "AND"}, set(known.split()) - {"&", "AND"}
    return not (words <= known_words or known_words <= words)


@dataclass
class _Notice:
    """The notice being assembled while the pages are walked: what its pages said so far."""

    first: int
    last: int
    code: str | None
    ssn_last4: frozenset[str]
    taxpayer: str | None

    @classmethod
    def starting(cls, page: PageEvidence) -> _Notice:
        return cls(page.number, page.number, page.code, page.ssn_last4, page.taxpayer)

    def add(self, page: PageEvidence) -> None:
        self.last = page.number
        self.code = self.code or page.code
        self.ssn_last4 = self.ssn_last4 or page.ssn_last4
        self.taxpayer = self.taxpayer or page.taxpayer


def plan_split(document: OcrDocument) -> SplitPlan:
    """The notices of ``document`` in page order, from its pages' evidence."""
    evidence = [read_evidence(page) for page in document.pages]
    blank = tuple(page.number for page in evidence if page.is_blank)
    printed = [page for page in evidence if not page.is_blank]
    if not printed:
        return SplitPlan(segments=(Segment(first=1, last=max(1, len(evidence))),), blank_pages=blank)
    notices, cuts = [_Notice.starting(printed[0])], []
    for previous, page in zip(printed, printed[1:], strict=False):
        boundary = _weigh(page, previous, notices[-1], blank_between=page.number - previous.number > 1)
        if boundary.is_cut:
            notices.append(_Notice.starting(page))
        else:
            notices[-1].add(page)
        if boundary.is_cut or not boundary.is_certain and boundary.new:
            reasons = boundary.new if boundary.is_cut else boundary.same
            cuts.append(SplitCut(page=page.number, evidence=tuple(r for r, _ in reasons),
                                 is_certain=boundary.is_certain, is_cut=boundary.is_cut))  # fmt: skip
    segments = tuple(Segment(first=notice.first, last=notice.last) for notice in notices)
    return SplitPlan(
        segments=segments, blank_pages=blank, cuts=tuple(cuts), is_certain=all(c.is_certain for c in cuts)
    )


def plan_from_cuts(document: OcrDocument, starts: list[int]) -> SplitPlan:
    """The plan a person chose: a notice starts at each page of ``starts`` (and at the first printed page);
    blank pages belong to none, as in ``plan_split``. Certain: a person decided it."""
    blank = tuple(p.number for p in document.pages if read_evidence(p).is_blank)
    printed = [p.number for p in document.pages if p.number not in blank]
    firsts = sorted({*(s for s in starts if s in printed), *printed[:1]})
    segments = []
    for index, first in enumerate(firsts):
        end = firsts[index + 1] if index + 1 < len(firsts) else len(document.pages) + 1
        segments.append(Segment(first=first, last=max(p for p in printed if first <= p < end)))
    cuts = tuple(SplitCut(page=first, evidence=("moved by a person",)) for first in firsts[1:])
    return SplitPlan(segments=tuple(segments), blank_pages=blank, cuts=cuts)


def doubts(plan: SplitPlan) -> tuple[str, ...]:
    """One review reason per uncertain boundary, naming the proposed cut."""
    return tuple(
        f"split: {'proposed cut' if cut.is_cut else 'no cut proposed'} before page {cut.page} is uncertain "
        f"({'; '.join(cut.evidence)})"
        for cut in plan.cuts
        if not cut.is_certain
    )


def segment_documents(document: OcrDocument, plan: SplitPlan) -> list[OcrDocument]:
    """Each notice's pages, blank ones left out, with their page numbers in the original."""
    return [
        OcrDocument(
            pages=tuple(
                page
                for page in document.pages
                if segment.first <= page.number <= segment.last and page.number not in plan.blank_pages
            )
        )  # fmt: skip
        for segment in plan.segments
    ]


def child_id(parent_id: str, segment: Segment) -> str:
    return f"{parent_id}:p{segment.first}-{segment.last}"
