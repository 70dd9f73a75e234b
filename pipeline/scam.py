"""Scam check: how much a letter that claims to be from the IRS looks like a fake.

``check_scam(text, fields, notice_type, catalog, profile)`` takes the letter's full OCR text, the extracted
fields, the catalog entry it was classified as (or None), the catalog and the matched profile (or None),
and returns a ``ScamCheck``: signals (code, detail with the matched text as evidence, weight), a score in
0..1 and a risk. It never raises on any text. ``add_full_ssn_signal(scam, count)`` adds the full-SSN
signal for a caller that masked full SSNs out of the text before calling. ``VERIFY_ADVICE`` is the sentence
to show a person when the risk is high.

Signals follow the red flags of shared/reference/official-contacts-and-scams.md: agencies that do not
exist, payment by gift card / crypto / wire or to anyone but the United States Treasury, threats of arrest
or licence and SSN suspension, deadlines in hours, links and e-mail, requests for bank logins or ID photos
to a "filing agent", a full SSN or a wrong last four, misspelt names, private return addresses, tax-relief
mailers, no or unknown notice number, content that contradicts the notice's code, and phone numbers that
are not IRS numbers (weak: an unknown number is unverified, not proof).

Weights combine like independent evidence (score = 1 - Π(1 - weight)): one damning signal (gift cards, a
fake agency, an arrest threat) is high on its own; weak ones need company. Genuine levy and final notices
use strong words ("intent to levy", "pay immediately", "final notice", "Notice of Federal Tax Lien") and no
pattern here matches them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Final

import regex
from pydantic import BaseModel, ConfigDict

from extractors.party import IRS_CAMPUSES
from pipeline.catalog import Catalog, NoticeType
from pipeline.models import Category, Field, ScamCheck, ScamRisk, ScamSignal
from pipeline.profiles import TaxpayerProfile

HIGH_RISK_SCORE: Final = 0.7
MEDIUM_RISK_SCORE: Final = 0.35
EVIDENCE_LIMIT: Final = 3  # matched snippets quoted per signal

VERIFY_ADVICE: Final = (
    "This letter shows signs of a scam. Do not pay, call or reply using anything printed on it: verify it "
    "through your IRS Online Account (irs.gov/account) or by calling the IRS at 800-829-1040, not the "
    "number on the letter."
)

# From shared/reference/official-contacts-and-scams.md.
OFFICIAL_PHONES: Final = frozenset({
    "800-829-1040", "800-829-0922", "800-829-3903", "800-829-7650", "800-829-4933", "800-829-4059",
    "833-553-9895", "800-829-3676", "844-545-5640", "800-829-1954", "267-941-1000", "800-555-4477",
    "800-316-6541", "800-555-3453", "877-777-4778", "800-366-4484",
})  # fmt: skip
# Web and e-mail domains a genuine notice may print (the IRS, Treasury payment sites, the Tax Court,
# FTC/TIGTA reporting, and ID.me, the IRS's sign-in partner).
OFFICIAL_DOMAINS: Final = (
    "irs.gov", "treasury.gov", "eftps.gov", "pay.gov", "usa.gov", "ssa.gov", "ftc.gov", "tigta.gov",
    "ustaxcourt.gov", "identitytheft.gov", "id.me",
)  # fmt: skip
CAMPUS_ZIPS: Final = IRS_CAMPUSES
# Categories whose genuine notices never speak of levy or arrest: a "CP2000" that does is not a CP2000.
NON_COLLECTION_CATEGORIES: Final = frozenset({
    Category.PROPOSED_ADJUSTMENT, Category.DEFICIENCY, Category.RETURN_CHANGED, Category.UNFILED_RETURN,
    Category.IDENTITY_VERIFICATION,
})  # fmt: skip

# Weights of the signals that are more than one pattern (pattern signals carry their own).
SIGNAL_WEIGHTS: Final = {
    "no_notice_number": 0.3,
    "unknown_notice_number": 0.3,
    "unknown_phone": 0.2,
    "outside_link": 0.5,
    "content_contradicts_code": 0.45,
    "ssn_mismatch": 0.35,
    "wrong_payee": 0.6,
    "email_origin": 0.4,
    "full_ssn": 0.55,
    "private_return_address": 0.4,
}

FULL_SSN_DETAIL: Final = "prints a full Social Security number (the IRS shows only the last 4)"

FLAGS = regex.IGNORECASE | regex.VERBOSE


class PatternSignal(BaseModel):
    """A red flag that is one pattern: any match is the evidence."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    code: str
    weight: float
    detail: str
    pattern: regex.Pattern[str]


def _fuzzy_names(names: Iterable[str], errors: int) -> str:
    # Long official-sounding names survive OCR damage ("Enforcernent") with a few edits allowed.
    words = (r"\s+".join(regex.escape(word) for word in name.split()) for name in names)
    return "|".join(f"(?:{pattern}){{e<={errors}}}" for pattern in words)


FAKE_AGENCY_NAMES: Final = (
    "Bureau of Tax Enforcement",
    "Tax Processing Unit",
    "IRS Legal Department",
    "Tax Lien Enforcement Division",
)

PATTERN_SIGNALS: Final = (
    PatternSignal(
        code="fake_agency",
        weight=0.75,
        detail="names an agency that does not exist",
        pattern=regex.compile(
            rf"""\b(?:{_fuzzy_names(FAKE_AGENCY_NAMES, 2)}
            | bureau \s+ of \s+ tax \s+ (?:enforcement|collections?|compliance|levy|liens?)
            | department \s+ of \s+ tax \s+ (?:enforcement|collections?|compliance)
            | IRS \s+ (?:legal|enforcement|lien|levy) \s+ (?:department|division|unit|bureau|office)
            | (?:federal \s+ |national \s+ |state \s+ )? tax \s+ (?:lien|levy|enforcement|collections?)
              \s+ (?:enforcement \s+ )? (?:division|bureau|unit|department|agency|office|center|registry)
            )\b""",
            FLAGS,
        ),
    ),
    PatternSignal(
        code="gift_card_payment",
        weight=0.8,
        detail="asks for payment by gift card, prepaid card or cryptocurrency",
        pattern=regex.compile(
            r"""gift \s* -? \s* cards?
            | (?:itunes|google \s+ play|steam|apple|amazon|vanilla) \s+ (?:gift \s+ )? cards?
            | prepaid \s+ (?:debit \s+ |credit \s+ |visa \s+ )? cards? | green \s* dot | money \s* pak
            | bitcoin | \bBTC\b | crypto \s* (?:currency|currencies|wallet|ATM)? | \bethereum\b | \bUSDT\b
            | wallet \s+ address""",
            FLAGS,
        ),
    ),
    PatternSignal(
        code="wire_payment",
        weight=0.6,
        detail="asks for payment by wire or a money-transfer app",
        pattern=regex.compile(
            r"""(?<! same[-\s]day \s) \bwire \s+ (?:transfer|the|your|funds|payment|money)
            | western \s+ union | money \s* gram | \bzelle\b | \bvenmo\b | \bcash \s* app\b | \bpaypal\b""",
            FLAGS,
        ),
    ),
    PatternSignal(
        code="threat",
        weight=0.7,
        detail="threatens arrest, deportation, licence or SSN suspension",
        pattern=regex.compile(
            r"""\barrest(?:ed)?\b | \bwarrants?\b | \bdeport(?:ation|ed)?\b | \bsheriff | \bpolice\b
            | \bmarshals?\b | \bjail\b | \bprison\b | \bimprison
            | \bcriminal \s+ (?:charges|prosecution|complaint)
            | licen[cs]e \s+ (?:\w+ \s+){0,2} (?:suspen|revok)
            | (?:suspen|revo)\w* \s+ (?:of \s+)? your \s+ (?:\w+ \s+){0,2} licen[cs]e
            | (?:social \s+ security \s+ (?:number|card)|SSN) \s+ (?:\w+ \s+){0,3}
              (?:suspend|block|cancel|frozen|freez|deactivat)\w*
            | (?:suspend|block|cancel|freez)\w* \s+ (?:\w+ \s+){0,2} (?:social \s+ security|SSN)""",
            FLAGS,
        ),
    ),
    PatternSignal(
        code="hours_deadline",
        weight=0.5,
        detail="demands action within hours",
        pattern=regex.compile(
            r"""within \s+ (?:\d{1,3}|twenty[-\s]four|forty[-\s]eight|seventy[-\s]two)
              \s* -? \s* (?:hours?|hrs?)\b
            | \b(?:24|48|72) \s* -? \s* (?:hours?|hrs?)\b (?! \s+ a \s+ day)
            | (?:by|at|before) \s+ (?:the \s+)? (?:end|close) \s+ of \s+ (?:the \s+)? (?:business \s+)?
              (?:day|today)
            | \b(?:by|before|until) \s+ \d{1,2} (?::\d{2})? \s* [ap]\.?m\b
            | \b(?:by|before|until|no \s+ later \s+ than) \s+ (?:the \s+ end \s+ of \s+)? tomorrow\b""",
            FLAGS,
        ),
    ),
    PatternSignal(
        code="today_deadline",
        weight=0.3,
        detail="demands action today",
        pattern=regex.compile(
            r"""\b(?:pay|respond|call|contact|act|reply|settle)\w* \b [^.\n]{0,40} \btoday\b
            | \btoday \s+ (?:only|or \s+ else) | end \s+ of \s+ today""",
            FLAGS,
        ),
    ),
    PatternSignal(
        code="data_request",
        weight=0.6,
        detail="asks for personal data, bank logins or ID photos",
        pattern=regex.compile(
            r"""filing \s+ agent
            | (?:bank|banking) \s+ (?:log \s? -? in|user \s? -? name|password|credentials|sign[-\s]?in)
            | (?:log \s? -? in|sign[-\s]?in|user \s? -? name|password) \s+ (?:\w+ \s+)? (?:for|to|of)
              \s+ your \s+ (?:online \s+)? bank
            | (?:photo|picture|image|scan) \s+ (?:\w+ \s+){0,3} driver'?s? \s+ licen[cs]e
            | driver'?s? \s+ licen[cs]e \s+ (?:photo|picture|image|scan|front \s+ and \s+ back)
            | mother'?s \s+ maiden | (?:full|complete) \s+ social \s+ security \s+ number
            | \b(?:ATM|debit \s+ card) \s+ PIN\b
            | card \s+ numbers? \s+ (?:and|&) \s+ (?:the \s+)? (?:PIN|security \s+ code)""",
            FLAGS,
        ),
    ),
    PatternSignal(
        code="misspelled_name",
        weight=0.35,
        detail="misspells the name of the Treasury or the IRS",
        pattern=regex.compile(
            r"""department \s+ of \s+ (?!the\b) treasur | \bdept\.? \s+ of \s+ treasury
            | internal \s+ revenue \s+ services\b | internal \s+ revenue \s+ (?:department|bureau|agency)\b
            | \buntied \s+ states""",
            FLAGS,
        ),
    ),
    PatternSignal(
        code="tax_relief_mailer",
        weight=0.55,
        detail="reads like a tax-relief mailer, not an IRS notice",
        pattern=regex.compile(
            r"""fresh \s+ start \s+ (?:program|initiative|relief) | levy \s+ release
            | tax \s+ relief \s+ (?:program|specialists?|services|experts?|department|center|division|team)
            | pennies \s+ on \s+ the \s+ dollar | tax \s+ forgiveness | debt \s+ forgiveness
            | (?:enrollment|retainer|activation|upfront|program|release) \s+ fees?
            | not \s+ (?:affiliated|associated) \s+ with \s+ (?:the \s+)?
              (?:IRS|internal|(?:any \s+)? government)
            | not \s+ a \s+ government \s+ agency
            | (?:reduce|settle|eliminate|erase) \s+ (?:up \s+ to \s+ \d+ \s* % \s+ of \s+)? your \s+
              (?:IRS \s+|tax \s+)? debt""",
            FLAGS,
        ),
    ),
    PatternSignal(
        code="refund_lure",
        weight=0.35,
        detail="lures with a refund to claim",
        pattern=regex.compile(
            r"""(?:eligible|entitled|qualif(?:y|ied)) \s+ (?:\w+ \s+){0,4} (?:tax \s+)?
              (?:refund|rebate|reimbursement)
            | unclaimed \s+ (?:tax \s+)? refund
            | claim \s+ (?:your|the) \s+ (?:\w+ \s+){0,2} (?:refund|rebate)
            | refund \s+ (?:is \s+)? (?:pending|on \s+ hold \s+ until) | tax \s+ rebate""",
            FLAGS,
        ),
    ),
    PatternSignal(
        code="click_link",
        weight=0.4,
        detail="asks to click a link (the IRS mails paper notices)",
        pattern=regex.compile(r"\bclick \s+ (?:here|the \s+ link|below|on|this)\b", FLAGS),
    ),
    PatternSignal(
        code="scan_code",
        weight=0.15,
        detail="asks to scan a code (unverified: check where it leads)",
        pattern=regex.compile(r"\bscan \s+ (?:the|this) \s+ (?:QR \s+)? code\b", FLAGS),
    ),
)

# "CP14", "LTR 5071C", "LT11", "Letter 1058" (stored as LTR1058).
NOTICE_NUMBER = regex.compile(
    r"\b(?:(?P<prefix>CP|LTR|LT) \s? (?P<number>\d{1,5}[A-Z]?) | letter \s+ (?P<number>\d{3,5}[A-Z]?))\b",
    FLAGS,
)
# "1-800-829-1040", "(800) 829-1040", "800.829.1040"; a separator is required so account numbers stay out.
PHONE = regex.compile(
    r"""(?<![\d-]) (?:1 [\s.-])? (?:\((?P<area>\d{3})\)\s? | (?P<area>\d{3})[\s.-])
    (?P<exchange>\d{3}) [\s.-] (?P<line>\d{4}) (?![\d-])""",
    regex.VERBOSE,
)
FULL_SSN = regex.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])")
URL_OR_DOMAIN = regex.compile(
    r"""\b(?:https?://)? (?P<host>(?:[a-z0-9-]+\.)+
    (?:gov|com|net|org|info|us|co|io|biz|online|site|xyz|support|help|top|app|me|cc|ru|tk|live|link))\b""",
    FLAGS,
)
EMAIL = regex.compile(r"[\w.+-]+@(?P<host>(?:[a-z0-9-]+\.)+[a-z]{2,})", regex.IGNORECASE)
EMAIL_HEADER = regex.compile(
    r"^\s*(?:from|to|subject|sent|reply-to|cc)\s*:", regex.IGNORECASE | regex.MULTILINE
)
# The payee may run onto the next line in OCR text; "payable to you" (a refund) names no payee.
PAYEE = regex.compile(
    r"""(?:payable \s+ to | made \s+ out \s+ to | pay \s+ to \s+ the \s+ order \s+ of
        | make \s+ (?:your \s+ |all \s+ )? (?:checks?|money \s+ orders?) (?:\s+ or \s+ money \s+ orders?)?
          \s+ (?:payable \s+)? to)
    \s* [:\-]? \s* (?! you\b) (?P<payee>[^,;]{2,50})""",
    FLAGS,
)
# "the United States Treasury" / "U.S. Treasury", OCR-damaged ("thc Unitcd", "U.5."), but not a private
# name built on it ("United States Treasury Collection Services").
TREASURY_PAYEE = regex.compile(
    r"""^\W* (?:(?:the){e<=1} \s+)? (?:(?:united \s+ states){e<=2} | u\.? \s? [s5] \.?)
    \s+ (?:treasury){e<=1}\b
    (?! [ \t-]* (?:collections?|processing|settlement|resolution|services?|unit|department|office
                  |division))""",
    FLAGS,
)
SUITE = regex.compile(r"\b(?:suite|ste\.?)\s*\#?\s*\d+[a-z]?\b", regex.IGNORECASE)
PO_BOX = regex.compile(r"\bP\.?\s*O\.?\s*Box\s+\d+", regex.IGNORECASE)
PROCESSING_CENTER = regex.compile(r"processing\s+(?:center|centre|unit|department|office)", regex.IGNORECASE)
CAMPUS_CITY_ZIP = regex.compile(
    r"\b(?P<city>"
    + "|".join(city.replace(" ", r"\s+") for city, _ in CAMPUS_ZIPS)
    + r")\s*,?\s+(?P<state>[A-Z]{2})\s+(?P<zip>\d{5})(?:-\d{4})?\b",
    regex.IGNORECASE,
)
COLLECTION_WORDS = regex.compile(r"\blevy\b|\bseiz|\bgarnish|\barrest|\bwarrant", regex.IGNORECASE)
ZIP_IN_ADDRESS = regex.compile(r"\b(\d{5})(?:-\d{4})?\s*$")
WHITESPACE = regex.compile(r"\s+")
# OCR reads letters as digits inside words ("DIVISI0N") and "m" as "rn" ("Enforcernent"); pattern
# signals also search a copy with those repaired.
DIGIT_IN_WORD = regex.compile(r"(?<=[A-Za-z])[0158](?=[A-Za-z])")
DIGIT_AS_LETTER = {"0": "o", "1": "l", "5": "s", "8": "b"}
# Typographic characters OCR and word processors produce, as the ASCII the patterns expect.
TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


class Letter(BaseModel):
    """What the detectors look at: the text once normalized, and the facts the fields and profile add."""

    model_config = ConfigDict(frozen=True)

    text: str
    repaired: str  # the text with OCR letter confusions undone, for the word patterns
    notice_code: str | None
    notice_type: NoticeType | None
    catalog: Catalog
    ssn_last4: str | None
    profile_ssn_last4: str | None
    taxpayer_texts: tuple[str, ...]  # the taxpayer's own address lines, which may carry a suite or a ZIP
    extra_phones: tuple[str, ...]

    @property
    def views(self) -> tuple[str, ...]:
        return (self.text,) if self.repaired == self.text else (self.text, self.repaired)


Detector = Callable[[Letter], ScamSignal | None]


def repair_ocr_letters(text: str) -> str:
    """The text with digits inside words read as letters and "rn" as "m"; numbers are left alone."""
    lettered = DIGIT_IN_WORD.sub(lambda match: DIGIT_AS_LETTER[match.group()], text)
    return lettered.replace("rn", "m").replace("RN", "M")


def check_scam(
    text: str,
    fields: dict[str, Field],
    notice_type: NoticeType | None,
    catalog: Catalog,
    profile: TaxpayerProfile | None,
) -> ScamCheck:
    letter = read_letter(text, fields, notice_type, catalog, profile)
    return combine_signals([signal for detect in DETECTORS if (signal := detect(letter)) is not None])


def combine_signals(signals: Sequence[ScamSignal]) -> ScamCheck:
    score = round(1 - math.prod(1 - signal.weight for signal in signals), 2)
    return ScamCheck(risk=rate_risk(score), score=score, signals=tuple(signals))


def add_full_ssn_signal(scam: ScamCheck, full_ssn_count: int) -> ScamCheck:
    """The check with the full-SSN signal added, for callers that masked full SSNs out of the text first."""
    if full_ssn_count <= 0 or any(signal.code == "full_ssn" for signal in scam.signals):
        return scam
    detail = f"{FULL_SSN_DETAIL} ({full_ssn_count} found and masked)"
    return combine_signals([*scam.signals, _signal("full_ssn", SIGNAL_WEIGHTS["full_ssn"], detail)])


def rate_risk(score: float) -> ScamRisk:
    if score >= HIGH_RISK_SCORE:
        return ScamRisk.HIGH
    if score >= MEDIUM_RISK_SCORE:
        return ScamRisk.MEDIUM
    return ScamRisk.LOW


def read_letter(
    text: str,
    fields: dict[str, Field],
    notice_type: NoticeType | None,
    catalog: Catalog,
    profile: TaxpayerProfile | None,
) -> Letter:
    def value(name: str) -> str | None:
        field = fields.get(name)
        return str(field.value).strip() or None if field is not None and field.value is not None else None

    taxpayer = [value("address") or "", value("taxpayer_name") or ""]
    if profile is not None:
        taxpayer += [profile.address.as_line(), profile.address.street]
    return Letter(
        text=text.translate(TYPOGRAPHY),
        repaired=repair_ocr_letters(text.translate(TYPOGRAPHY)),
        notice_code=notice_type.code if notice_type else value("notice_number"),
        notice_type=notice_type or catalog.get(value("notice_number")),
        catalog=catalog,
        ssn_last4=value("ssn_last4"),
        profile_ssn_last4=profile.ssn_last4 if profile else None,
        taxpayer_texts=tuple(line.upper() for line in taxpayer if line),
        extra_phones=tuple(phone for phone in (value("irs_phone"),) if phone),
    )


def _signal(code: str, weight: float, detail: str, evidence: Iterable[str] = ()) -> ScamSignal:
    quoted = list(dict.fromkeys(WHITESPACE.sub(" ", item).strip()[:80] for item in evidence))[:EVIDENCE_LIMIT]
    suffix = ": " + "; ".join(f'"{item}"' for item in quoted) if quoted else ""
    return ScamSignal(code=code, detail=detail + suffix, weight=weight)


def _flag(code: str, detail: str, evidence: Iterable[str] = ()) -> ScamSignal:
    return _signal(code, SIGNAL_WEIGHTS[code], detail, evidence)


def _pattern_detector(rule: PatternSignal) -> Detector:
    def detect(letter: Letter) -> ScamSignal | None:
        # concurrent=True releases the GIL: documents checked in parallel threads really run in parallel
        hits = [
            match.group() for view in letter.views for match in rule.pattern.finditer(view, concurrent=True)
        ]
        return _signal(rule.code, rule.weight, rule.detail, hits) if hits else None

    return detect


# --- detectors that need more than one pattern ------------------------------------------------------------


def detect_notice_number(letter: Letter) -> ScamSignal | None:
    code = letter.notice_code
    if code is None:
        found = NOTICE_NUMBER.search(letter.text)
        code = f"{found.group('prefix') or 'LTR'}{found.group('number')}".upper() if found else None
    if code is None:
        return _flag("no_notice_number", "carries no notice or letter number")
    if letter.notice_type is None and letter.catalog.get(code) is None:
        return _flag("unknown_notice_number", "its notice number is not in the IRS catalog", [code])
    return None


def detect_contradiction(letter: Letter) -> ScamSignal | None:
    notice_type = letter.notice_type
    if notice_type is None or notice_type.category not in NON_COLLECTION_CATEGORIES:
        return None
    hits = [match.group() for view in letter.views for match in COLLECTION_WORDS.finditer(view)]
    if not hits:
        return None
    return _flag(
        "content_contradicts_code",
        f"a {notice_type.code} ({notice_type.title.lower()}) does not threaten seizure or arrest",
        hits,
    )


def detect_payee(letter: Letter) -> ScamSignal | None:
    payees = [match.group("payee").strip() for match in PAYEE.finditer(letter.text)]
    wrong = [payee for payee in payees if not TREASURY_PAYEE.search(payee)]
    if not wrong:
        return None
    return _flag("wrong_payee", "asks for payment to someone other than the United States Treasury", wrong)


def detect_phones(letter: Letter) -> ScamSignal | None:
    numbers = [
        f"{match.group('area')}-{match.group('exchange')}-{match.group('line')}"
        for match in PHONE.finditer("\n".join((letter.text, *letter.extra_phones)))
    ]
    unknown = [number for number in numbers if number not in OFFICIAL_PHONES]
    if not unknown:
        return None
    return _flag("unknown_phone", "phone number not on the IRS list (unverified, not proof)", unknown)


def detect_links(letter: Letter) -> ScamSignal | None:
    hosts = [match.group("host") for match in URL_OR_DOMAIN.finditer(letter.text)]
    hosts += [match.group("host") for match in EMAIL.finditer(letter.text)]
    outside = [host for host in hosts if not _is_official_host(host)]
    if not outside:
        return None
    return _flag("outside_link", "points to a web or e-mail address outside irs.gov", outside)


def _is_official_host(host: str) -> bool:
    host = host.lower().removeprefix("www.")
    return any(host == domain or host.endswith("." + domain) for domain in OFFICIAL_DOMAINS)


def detect_email(letter: Letter) -> ScamSignal | None:
    headers = [match.group() for match in EMAIL_HEADER.finditer(letter.text)]
    if len(headers) < 2:
        return None
    return _flag("email_origin", "was sent as an e-mail (the IRS does not start contact by e-mail)", headers)


def detect_full_ssn(letter: Letter) -> ScamSignal | None:
    hits = FULL_SSN.findall(letter.text)
    if not hits:
        return None
    # Quote only the last four: the report must not spread the number it warns about.
    masked = [f"XXX-XX-{hit[-4:]}" for hit in hits]
    return _flag("full_ssn", FULL_SSN_DETAIL, masked)


def detect_ssn_mismatch(letter: Letter) -> ScamSignal | None:
    if letter.ssn_last4 is None or letter.profile_ssn_last4 is None:
        return None
    if letter.ssn_last4 == letter.profile_ssn_last4:
        return None
    return _flag(
        "ssn_mismatch",
        f"shows SSN last 4 {letter.ssn_last4}, the taxpayer's are {letter.profile_ssn_last4}",
    )


def detect_return_address(letter: Letter) -> ScamSignal | None:
    suites = [hit for hit in SUITE.findall(letter.text) if not _is_taxpayers(hit, letter)]
    evidence = list(suites)
    po_box = PO_BOX.search(letter.text)
    center = PROCESSING_CENTER.search(letter.text)
    if po_box and center:
        evidence += [po_box.group(), center.group()]
    evidence += _campus_zip_mismatches(letter)
    if not evidence:
        return None
    return _flag("private_return_address", "gives a return address that is not an IRS campus", evidence)


def _campus_zip_mismatches(letter: Letter) -> list[str]:
    taxpayer_zips = {
        found.group(1) for line in letter.taxpayer_texts if (found := ZIP_IN_ADDRESS.search(line))
    }
    mismatches = []
    for match in CAMPUS_CITY_ZIP.finditer(letter.text):
        city = WHITESPACE.sub(" ", match.group("city")).strip().upper()
        campus = CAMPUS_ZIPS.get((city, match.group("state").upper()))
        if campus and match.group("zip") not in campus and match.group("zip") not in taxpayer_zips:
            mismatches.append(match.group())
    return mismatches


def _is_taxpayers(snippet: str, letter: Letter) -> bool:
    wanted = WHITESPACE.sub(" ", snippet).upper()
    return any(wanted in WHITESPACE.sub(" ", line) for line in letter.taxpayer_texts)


DETECTORS: Final[tuple[Detector, ...]] = (
    detect_notice_number,
    detect_contradiction,
    *(_pattern_detector(rule) for rule in PATTERN_SIGNALS),
    detect_payee,
    detect_phones,
    detect_links,
    detect_email,
    detect_full_ssn,
    detect_ssn_mismatch,
    detect_return_address,
)
