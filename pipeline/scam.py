"""Scam check: how much a letter that claims to be from the IRS looks like a fake.

``check_scam(letter, fields, notice_type, catalog, profile)`` takes the letter as read (the ``OcrDocument``,
whose lines and words carry OCR confidence, or plain text, read as fully confident), the extracted fields,
the catalog entry it was classified as (or None), the catalog and the matched profile (or None), and
returns a ``ScamCheck``: signals (code, detail with the matched text as evidence, weight), a score in 0..1
and a risk. It never raises on any text. ``add_full_ssn_signal(scam, count)`` adds the full-SSN
signal for a caller that masked full SSNs out of the text before calling. ``VERIFY_ADVICE`` is the sentence
to show a person when the risk is high.

Signals follow the red flags of shared/reference/official-contacts-and-scams.md: agencies that do not
exist, payment by gift card / crypto / wire or to anyone but the United States Treasury, threats of arrest
or licence and SSN suspension, deadlines in hours, links and e-mail, requests for bank logins or ID photos
to a "filing agent", a full SSN or a wrong last four, misspelt names, private return addresses, tax-relief
mailers, no or unknown notice number, content that contradicts the notice's code, and phone numbers that
are not IRS numbers (weak: an unknown number is unverified, not proof). Two kinds of letter are told apart:
a private tax-relief firm's mailer made to look like a notice (``not_from_irs``: it is not from the IRS at
all) and an e-mail or text message printed on paper (``phishing_message``).

A payee, an agency name or a phone number is evidence only when it was read with confidence as one: OCR
garbage next to "payable to" ("the United States dG Securi Write Social") names no payee, a low-confidence
line names no agency, a number one digit away from an IRS number is that number misread. Telling a taxpayer
to ignore a genuine intent-to-levy notice is as harmful as missing a fake.

Weights combine like independent evidence (score = 1 - Π(1 - weight)): one damning signal (gift cards, a
fake agency, an arrest threat) is high on its own; weak ones need company. Genuine levy and final notices
use strong words ("intent to levy", "pay immediately", "pay today", "final notice", "Notice of Federal Tax
Lien") and no pattern here matches them ("today" counts only on letters that are not a catalogued collection
notice).

Why one module of ~900 lines: the signals are one table of weighted rules scored together; a rule's weight
only means something beside the others', so they are read, tuned and benchmarked in one place.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Final, NamedTuple

import regex
from pydantic import BaseModel, ConfigDict

from extractors.contacts import official_phone_near
from extractors.party import IRS_CAMPUSES
from extractors.ssn import full_ssn_last4s
from extractors.text import one_character_apart
from pipeline.catalog import Catalog, NoticeType
from pipeline.models import Category, Field, OcrDocument, ScamCheck, ScamRisk, ScamSignal
from pipeline.profiles import TaxpayerProfile

HIGH_RISK_SCORE: Final = 0.7
MEDIUM_RISK_SCORE: Final = 0.35
EVIDENCE_LIMIT: Final = 3  # matched snippets quoted per signal
# OCR confidence (0..1) a word or line needs before what it says counts as evidence. Tesseract gives clean
# print 0.9 and more; garbage from stamps, columns and noise mostly below 0.6.
WORD_MIN_CONFIDENCE: Final = 0.7
LINE_MIN_CONFIDENCE: Final = 0.6

NOT_FROM_IRS_ADVICE: Final = (
    "This is not from the IRS: it is a private company's mailer made to look like an IRS notice. You do not "
    "need to answer it. To see what you really owe, use your IRS Online Account (irs.gov/account) or call "
    "the IRS at 800-829-1040."
)
VERIFY_ADVICE: Final = (
    "This letter shows signs of a scam. Do not pay, call or reply using anything printed on it: verify it "
    "through your IRS Online Account (irs.gov/account) or by calling the IRS at 800-829-1040, not the "
    "number on the letter."
)

# Web and e-mail domains a genuine notice may print (the IRS, Treasury payment sites, the Tax Court,
# FTC/TIGTA reporting, and ID.me, the IRS's sign-in partner).
OFFICIAL_DOMAINS: Final = (
    "irs.gov", "treasury.gov", "eftps.gov", "pay.gov", "usa.gov", "ssa.gov", "ftc.gov", "tigta.gov",
    "ustaxcourt.gov", "identitytheft.gov", "id.me",
)  # fmt: skip
CAMPUS_ZIPS: Final = IRS_CAMPUSES
# Link shorteners hide where a link leads; no genuine notice prints one.
SHORT_LINK_HOSTS: Final = (
    "bit.ly", "tinyurl.com", "t.co", "goo.gl", "rb.gy", "is.gd", "cutt.ly", "ow.ly", "tiny.cc", "shorturl.at",
    "t.ly", "rebrand.ly", "buff.ly", "s.id", "qrco.de",
)  # fmt: skip
# Categories of collection notices, whose genuine wording includes "pay the amount you owe today".
COLLECTION_CATEGORIES: Final = frozenset({Category.BALANCE_DUE, Category.INTENT_TO_LEVY})
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
    "not_from_irs": 0.75,
    "phishing_message": 0.6,
    "short_link": 0.5,
}

FULL_SSN_DETAIL: Final = "prints a full Social Security number (the IRS shows only the last 4)"
NOT_FROM_IRS_DETAIL: Final = (
    "not from the IRS: a private firm's mailer made to look like an IRS notice (tax-relief companies buy "
    "lien records and sell their services), not an IRS notice"
)

FLAGS = regex.IGNORECASE | regex.VERBOSE


class PatternSignal(BaseModel):
    """A red flag that is one pattern: any match is the evidence."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    code: str
    weight: float
    detail: str
    pattern: regex.Pattern[str]
    # A match counts only on lines read at least this confidently (names OCR can make out of noise).
    min_confidence: float = 0.0
    # Categories whose genuine notices use this wording: on a catalogued notice of one, it is no signal.
    genuine_on: frozenset[Category] = frozenset()
    # The same for single notice types whose own wording it is.
    genuine_in: frozenset[str] = frozenset()


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
        min_confidence=LINE_MIN_CONFIDENCE,
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
        genuine_on=COLLECTION_CATEGORIES,
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
        min_confidence=LINE_MIN_CONFIDENCE,
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
            | (?:reduce|(?<! \ban \s+ offer \s+ in \s+ compromise \s+ (?:allows \s+ you \s+ to|lets \s+ you
                                  |may|can) \s+) settle|eliminate|erase) \s+
              (?:up \s+ to \s+ \d+ \s* % \s+ of \s+)? your \s+ (?:IRS \s+|tax \s+)? debt""",
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
            | refund \s+ (?:is \s+)? (?:pending|on \s+ hold \s+ until) | tax \s+ rebate
            | refund \s+ (?:e-? \s? statement|notification|confirmation
              |payment \s+ (?:is \s+)? (?:ready|waiting))
            | (?:recalculation|recalculated) \s+ (?:of \s+)? your \s+ (?:tax \s+)? refund
            | (?:fill \s+ out|complete|submit) \s+ (?:the|a|this) \s+ (?:\w+ \s+){0,2}form \s+ to \s+
              (?:get|receive|claim|release) \s+ your \s+ (?:tax \s+)? refund
            | (?:received|receive|sent \s+ you) \s+ a \s+ direct \s+ deposit \s+ of""",
            FLAGS,
        ),
    ),
    PatternSignal(
        code="click_link",
        weight=0.4,
        detail="asks to click a link (the IRS mails paper notices)",
        pattern=regex.compile(
            r"""\bclick \s+ (?:here|the \s+ link|below|on|this)\b
            | \bclicking \s+ (?:on \s+)? (?:here|the \s+ link|this \s+ link|below)\b
            | \b(?:tap|continue|go) \s+ here\b | \btap \s+ (?:the|this) \s+ link\b
            | \b(?:follow|use|open|visit) \s+ (?:the|this) \s+
              (?:following \s+ |secure \s+ |personalized \s+ )? link\b""",
            FLAGS,
        ),
    ),
    PatternSignal(
        code="account_alert",
        weight=0.45,
        detail="says an account is suspended or locked, or a payment rejected (the IRS writes no such thing)",
        pattern=regex.compile(
            r"""\byour \s+ (?:IRS \s+ |online \s+ |tax \s+ |e-?file \s+ |taxpayer \s+ )*
              (?:account|profile|access) \s+ (?:has \s+ been|was|is|will \s+ be) \s+ (?:temporarily \s+ )?
              (?:suspended|locked|disabled|restricted|deactivated|frozen|flagged|on \s+ hold|limited)
            | (?:unusual|suspicious|unauthori[sz]ed) \s+ (?:\w+ \s+)?
              (?:activity|sign-? \s? in|log-? \s? in|login|access)
            | (?:restore|reactivate|unlock|unfreeze) \s+ (?:your \s+)? (?:\w+ \s+)? (?:account|access)
            | (?:payment|transfer|tax \s+ payment) \s+ (?:\(ID:? [^)]{0,30}\) \s+ )?(?:\w+ \s+){0,8}?
              (?:was|has \s+ been) \s+ (?:rejected|declined)\b
            | \brejected \s+ (?:tax \s+)? (?:payment|transfer)
            | \b(?:tax \s+ )?refund \s+ (?:has \s+ been \s+ |was \s+ |is \s+ )?(?:rejected|declined)\b""",
            FLAGS,
        ),
        # A CP01H says the IRS locked the account of a deceased person (irs.gov, "Understanding your CP01H
        # notice": "we locked your account").
        genuine_in=frozenset({"CP01H"}),
    ),
    PatternSignal(
        code="scan_code",
        weight=0.15,
        detail="asks to scan a code (unverified: check where it leads)",
        pattern=regex.compile(r"\bscan \s+ (?:the|this) \s+ (?:QR \s+)? code\b", FLAGS),
    ),
)

CLICK_LINK: Final = next(rule.pattern for rule in PATTERN_SIGNALS if rule.code == "click_link")
# "CP14", "LTR 5071C", "LT11", "Letter 1058" (stored as LTR1058).
NOTICE_NUMBER = regex.compile(
    r"\b(?:(?P<prefix>CP|LTR|LT) \s? (?P<number>\d{1,5}[A-Z]?) | letter \s+ (?P<number>\d{3,5}[A-Z]?))\b",
    FLAGS,
)
# "1-800-829-1040", "(800) 829-1040", "800.829.1040"; a separator is required so account numbers stay out,
# and the area code and exchange must be possible North American ones (first digit 2-9).
PHONE = regex.compile(
    r"""(?<![\d-]) (?:1 [\s.-])? (?:\((?P<area>[2-9]\d{2})\)\s? | (?P<area>[2-9]\d{2})[\s.-])
    (?P<exchange>[2-9]\d{2}) [\s.-] (?P<line>\d{4}) (?![\d-])""",
    regex.VERBOSE,
)
URL_OR_DOMAIN = regex.compile(
    r"""\b(?:https?://)? (?P<host>(?:[a-z0-9-]+\.)+
    (?:gov|com|net|org|info|us|co|io|biz|online|site|xyz|support|help|top|app|me|cc|ru|tk|live|link))\b""",
    FLAGS,
)
EMAIL = regex.compile(r"[\w.+-]+@(?P<host>(?:[a-z0-9-]+\.)+[a-z]{2,})", regex.IGNORECASE)
EMAIL_HEADER = regex.compile(
    r"^\s*(?:from|to|subject|sent|date|reply-to|cc)\s*:", regex.IGNORECASE | regex.MULTILINE
)
# A text message printed or photographed: the phone's own wording around it.
TEXT_MESSAGE = regex.compile(
    r"""\btext \s+ message\b | \bSMS\b | \bi?Message\b | \breply \s+ (?:STOP|YES|Y)\b | \btext \s+ STOP\b
    | \bmsg \s* (?:&|and) \s* data \s+ rates\b | \bdelivered \s+ (?:today|yesterday|\d)""",
    FLAGS,
)


# A full stop OCR made of a speck inside a sentence: a lower-case word goes on after it ("We do not ask for
# payment. by gift card, prepaid. card or wire transfer,.and we do not threaten arrest").
_SPECK_STOP = r"\.(?=\s?(?-i:[a-z]))"


def _sentence_holding(core: str) -> regex.Pattern[str]:
    """The whole sentence (over up to four lines) in which ``core`` stands."""
    within = rf"(?:[^.!?;:\n]|{_SPECK_STOP})"
    return regex.compile(
        rf"(?<=^|[.!?;:]\s|\n){within}*(?:\n{within}*){{0,3}}?{core}(?:[^.!?;:]|{_SPECK_STOP})*(?:[.!?;:]|$)",
        FLAGS,
    )


# A sentence in which the sender says what it never does: the IRS's own warning against scams.
SCAM_WARNING = _sentence_holding(
    r"""\b(?:we|IRS|it)\s+(?:(?:will|would|does|do|did|wo|ca)\s*)?(?:never|not|n't)\s+(?:\w+\s+){0,2}?
    (?:ask|asks|request|requests|demand|demands|require|requires|accept|accepts|start|starts|initiate|initiates
      |contact|contacts|call|calls|send|sends|use|uses)\b"""
)
# The Privacy Act statement printed on notices (IRS Notice 609): "If you don't provide the information we ask
# for, or provide false information, we may charge you penalties and, in certain cases, you may be subject to
# criminal prosecution." A penalty the law sets for false information, in a sentence that says "may"; a
# scam's threat is of arrest or charges for the reader's debt.
PRIVACY_ACT_STATEMENT = _sentence_holding(
    r"\b(?:false|fraudulent)\s+information\b[^.!?;:]*\bmay\b[^.!?;:]*\bcriminal\s+prosecution\b"
)
# What a message asks the reader to do that a notice never does.
MESSAGE_LURE = regex.compile(
    r"""\b(?:verify|confirm|update|validate|re-?enter|complete) \s+ (?:your \s+)? (?:\w+ \s+)?
        (?:identity|account|information|details|bank|profile|records|payment)
    | \b(?:sign|log) \s? -? \s? in \s+ (?:to|at) | \baccess \s+ (?:the|your) \s+ (?:form|refund|statement)""",
    FLAGS,
)
# A link that hides where it leads: a shortener, or a numeric host ("http://0x7C.0x3.0x3A.0x85/www.irs.gov").
SHORT_LINK = regex.compile(
    r"\b(?:https?://)?(?P<host>"
    + "|".join(regex.escape(host) for host in SHORT_LINK_HOSTS)
    + r")/[\w-]+"
    + r"|https?://(?P<host>(?:\d{1,3}|0x[0-9a-f]{1,2})(?:\.(?:\d{1,3}|0x[0-9a-f]{1,2})){3})\b",
    regex.IGNORECASE,
)
# A private firm speaking: who it says it is, and how it wants to be called.
PRIVATE_FIRM_DISCLAIMER = regex.compile(
    r"""not \s+ (?:affiliated|associated|connected|endorsed) \s+ (?:\w+ \s+){0,2}
        (?:IRS|internal \s+ revenue|(?:any \s+ |a \s+ )?government|federal|state|treasury)
    | not \s+ a \s+ government \s+ agency
    | (?:is|are) \s+ a \s+ private \s+ (?:company|firm|business|organi[sz]ation)
    | privately \s+ owned | we \s+ are \s+ not \s+ (?:the \s+ )?IRS\b
    | independent \s+ tax \s+ (?:resolution|relief) \s+ (?:firm|company)""",
    FLAGS,
)
PRIVATE_FIRM_MARKS = (
    (
        "firm name",
        regex.compile(
            r"""\btax \s+ (?:resolution|relief|settlement|debt|defen[cs]e|advocacy|solutions?|mediation
                          |negotiation)
            \s+ (?:department|center|centre|services?|group|division|office|team|associates|partners|solutions
                 |bureau|unit|dept\.?)\b""",
            FLAGS,
        ),
    ),
    (
        "specialist",
        regex.compile(
            r"""\b(?:speak|talk|consult) \s+ (?:with|to) \s+ (?:a|an|one \s+ of \s+ our|our) \s+
            (?:licensed \s+ |certified \s+ )?
            (?:tax \s+ )?(?:specialist|case \s+ (?:manager|advisor|worker)|advocate|counselor|consultant
            |professional|expert|representative|resolution \s+ officer)s?\b""",
            FLAGS,
        ),
    ),
    (
        "lien header",
        regex.compile(
            r"""\b(?:final \s+ )?notice \s+ of \s+ (?:state \s+ )?tax \s+ lien\b
            | \b(?:tax \s+ )?lien \s+ (?:has \s+ been \s+ )?(?:filed|recorded) \s+ (?:against \s+ you \s+ )?
              in \s+ (?:\w+ \s+)?county
            | public \s+ records? \s+ (?:show|indicate|search|research) | county \s+ records""",
            FLAGS,
        ),
    ),
    (
        "case number",
        regex.compile(r"\b(?:case|file|client) \s* (?:ID|number|no\.?|\#) \s* :? \s* [A-Z0-9-]{4,}", FLAGS),
    ),
)
# The payee may run onto the next line in OCR text; "payable to you" (a refund) names no payee. What follows
# is only where a payee would be: ``read_payee`` keeps the words of it that were read cleanly.
PAYEE = regex.compile(
    r"""(?:(?:payable){e<=1} \s+ to | made \s+ out \s+ to | pay \s+ to \s+ the \s+ order \s+ of
        | make \s+ (?:your \s+ |all \s+ )? (?:checks?|money \s+ orders?) (?:\s+ or \s+ money \s+ orders?)?
          \s+ (?:payable \s+)? to)
    [ \t]* [:\-]? \s* (?! you\b) (?P<payee>[^,;\n]{2,60}(?:\n[^,;\n]{1,40})?)""",
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
# The Treasury's name word by word, OCR-damaged as TREASURY_PAYEE allows, to recognise its start.
TREASURY_NAMES: Final = (("united", "states", "treasury"), ("u.s.", "treasury"))
TREASURY_WORD: Final = {
    "the": regex.compile(r"(?:the){e<=1}", regex.IGNORECASE),
    "united": regex.compile(r"(?:united){e<=1}", regex.IGNORECASE),
    "states": regex.compile(r"(?:states){e<=1}", regex.IGNORECASE),
    "treasury": regex.compile(r"(?:treasury){e<=1}", regex.IGNORECASE),
    "u.s.": regex.compile(r"u\.?\s?[s5]\.?", regex.IGNORECASE),
}
# What a payee is made of: capitalised or upper-case words, initials ("I.R.S.", "U.S."), "&", and the small
# words of a name. Anything else ("dG", "Securi-", "|l1") is where the readable payee ends.
PAYEE_WORD = regex.compile(
    r"""^(?: [A-Z][a-z]+\.? | [A-Z]{2,}\.? | (?:[A-Z]\.){1,4}[A-Z]?\.?
        | & | the | of | for | and | de | la ) [:,.]? $""",
    regex.VERBOSE,
)
# Words that end a payee: the sentence goes on ("... Treasury and mail it", "... Treasury. Write your SSN").
PAYEE_STOP_WORDS = frozenset({"and", "or", "with", "at", "by", "in", "on", "write", "include", "mail"})
PAYEE_SMALL_WORDS = frozenset({"the", "of", "for", "and", "de", "la", "&"})
ABBREVIATION = regex.compile(r"^(?:[A-Z]\.){1,4}[A-Z]?\.?$|^(?:Inc|Co|Corp|Ltd|Dept|St)\.$")
WORD_SPAN = regex.compile(r"\S+")
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


class WordSpan(NamedTuple):
    """Where one OCR word sits in the letter's text, and how sure the OCR was of it."""

    start: int
    end: int
    confidence: float


class Letter(BaseModel):
    """What the detectors look at: the text once normalized, how confidently each part of it was read, and
    the facts the fields and profile add."""

    model_config = ConfigDict(frozen=True)

    text: str
    repaired: str  # the text with OCR letter confusions undone, for the word patterns
    line_confidences: tuple[float, ...]  # one per line of ``text`` (split at "\n"); empty: all read cleanly
    words: tuple[WordSpan, ...]  # OCR words by position in ``text``, in order; empty: all read cleanly
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

    def line_confidence(self, view: str, start: int, end: int) -> float:
        """The lowest confidence of the lines that ``view[start:end]`` covers (repairs keep line breaks)."""
        if not self.line_confidences:
            return 1.0
        first = view.count("\n", 0, start)
        last = first + view.count("\n", start, end)
        covered = self.line_confidences[first : last + 1]
        return min(covered) if covered else 1.0

    def word_confidence(self, start: int, end: int) -> float:
        """The lowest confidence of the OCR words in ``text[start:end]``; 1.0 where no word was recorded."""
        index = bisect.bisect_right(self.words, (start, math.inf, math.inf)) - 1
        lowest = 1.0
        for word in self.words[max(index, 0) :]:
            if word.start >= end:
                break
            if word.end > start:
                lowest = min(lowest, word.confidence)
        return lowest


Detector = Callable[[Letter], ScamSignal | None]


def repair_ocr_letters(text: str) -> str:
    """The text with digits inside words read as letters and "rn" as "m"; numbers are left alone."""
    lettered = DIGIT_IN_WORD.sub(lambda match: DIGIT_AS_LETTER[match.group()], text)
    return lettered.replace("rn", "m").replace("RN", "M")


def check_scam(
    letter: OcrDocument | str,
    fields: dict[str, Field],
    notice_type: NoticeType | None,
    catalog: Catalog,
    profile: TaxpayerProfile | None,
) -> ScamCheck:
    """``letter`` as read: an ``OcrDocument`` (confidences weigh the evidence) or text (read as confident)."""
    read = read_letter(letter, fields, notice_type, catalog, profile)
    return combine_signals([signal for detect in DETECTORS if (signal := detect(read)) is not None])


def combine_signals(signals: Sequence[ScamSignal]) -> ScamCheck:
    score = round(1 - math.prod(1 - signal.weight for signal in signals), 2)
    return ScamCheck(risk=rate_risk(score), score=score, signals=tuple(signals))


def add_full_ssn_signal(scam: ScamCheck, full_ssn_count: int) -> ScamCheck:
    """The check with the full-SSN signal added, for callers that masked full SSNs out of the text first."""
    if full_ssn_count <= 0 or any(signal.code == "full_ssn" for signal in scam.signals):
        return scam
    detail = f"{FULL_SSN_DETAIL} ({full_ssn_count} found and masked)"
    return combine_signals([*scam.signals, _signal("full_ssn", SIGNAL_WEIGHTS["full_ssn"], detail)])


def is_not_from_irs(scam: ScamCheck) -> bool:
    """Whether the check found a private firm's lookalike mailer (not a letter claiming to be the IRS)."""
    return any(signal.code == "not_from_irs" for signal in scam.signals)


def scam_review_reason(scam: ScamCheck) -> str | None:
    """The review reason a high-risk check puts first, or None: a lookalike mailer is named for what it is."""
    if scam.risk is not ScamRisk.HIGH:
        return None
    if is_not_from_irs(scam):
        return f"not from the IRS: {NOT_FROM_IRS_ADVICE}"
    return f"possible scam: {VERIFY_ADVICE}"


def rate_risk(score: float) -> ScamRisk:
    if score >= HIGH_RISK_SCORE:
        return ScamRisk.HIGH
    if score >= MEDIUM_RISK_SCORE:
        return ScamRisk.MEDIUM
    return ScamRisk.LOW


def read_letter(
    letter: OcrDocument | str,
    fields: dict[str, Field],
    notice_type: NoticeType | None,
    catalog: Catalog,
    profile: TaxpayerProfile | None,
) -> Letter:
    def value(name: str) -> str | None:
        field = fields.get(name)
        return str(field.value).strip() or None if field is not None and field.value is not None else None

    text, line_confidences, words = _read_text(letter)
    taxpayer = [value("address") or "", value("taxpayer_name") or ""]
    if profile is not None:
        taxpayer += [profile.address.as_line(), profile.address.street]
    text = without_scam_warnings(text.translate(TYPOGRAPHY))
    return Letter(
        text=text,
        repaired=repair_ocr_letters(text),
        line_confidences=line_confidences,
        words=words,
        notice_code=notice_type.code if notice_type else value("notice_number"),
        notice_type=notice_type or catalog.get(value("notice_number")),
        catalog=catalog,
        ssn_last4=value("ssn_last4"),
        profile_ssn_last4=profile.ssn_last4 if profile else None,
        taxpayer_texts=tuple(line.upper() for line in taxpayer if line),
        extra_phones=tuple(phone for phone in (value("irs_phone"),) if phone),
    )


def without_scam_warnings(text: str) -> str:
    """``text`` with the sentences that warn against scams blanked (spaces, so every offset and line stays):
    a genuine letter may say "we never ask you to pay with a gift card or a wire transfer" or "We do not
    start contact by e-mail, text message or social media", which names what a scam asks for. Only a
    sentence in which we, the IRS or it never or do not contact or ask counts: "don't pay by check; pay with
    gift cards" and "if you do not call us today" are no warnings. The Privacy Act statement, which names
    criminal prosecution for false information, is blanked the same way (``PRIVACY_ACT_STATEMENT``)."""
    for pattern in (SCAM_WARNING, PRIVACY_ACT_STATEMENT):
        text = pattern.sub(lambda match: regex.sub(r"[^\n]", " ", match.group()), text)
    return text


def _read_text(letter: OcrDocument | str) -> tuple[str, tuple[float, ...], tuple[WordSpan, ...]]:
    """The letter's text as ``OcrDocument.text`` joins it, each line's confidence and each word's place.
    A word is found in its line's text in order; one that cannot be found (a line whose text was rewritten,
    as full-SSN masking does) is left out, so that part counts as read cleanly."""
    if isinstance(letter, str):
        return letter, (), ()
    confidences: list[float] = []
    words: list[WordSpan] = []
    offset = 0
    for page_index, page in enumerate(letter.pages):
        offset += 2 if page_index else 0  # the "\n\f" between pages
        for line_index, line in enumerate(page.lines):
            offset += 1 if line_index else 0
            cursor = 0
            for word in line.words:
                found = line.text.find(word.text, cursor) if word.text else -1
                if found >= 0:
                    words.append(WordSpan(offset + found, offset + found + len(word.text), word.confidence))
                    cursor = found + len(word.text)
            confidences += [line.confidence] * (line.text.count("\n") + 1)
            offset += len(line.text)
        if not page.lines:
            confidences.append(1.0)  # the empty line the page break leaves
    text = letter.text
    if offset != len(text):  # a layout this reading does not know: the text alone, read as clean
        return text, (), ()
    return text, tuple(confidences), tuple(words)


def _signal(code: str, weight: float, detail: str, evidence: Iterable[str] = ()) -> ScamSignal:
    quoted = list(dict.fromkeys(WHITESPACE.sub(" ", item).strip()[:80] for item in evidence))[:EVIDENCE_LIMIT]
    suffix = ": " + "; ".join(f'"{item}"' for item in quoted) if quoted else ""
    return ScamSignal(code=code, detail=detail + suffix, weight=weight)


def _flag(code: str, detail: str, evidence: Iterable[str] = ()) -> ScamSignal:
    return _signal(code, SIGNAL_WEIGHTS[code], detail, evidence)


def _pattern_detector(rule: PatternSignal) -> Detector:
    def detect(letter: Letter) -> ScamSignal | None:
        notice_type = letter.notice_type
        if notice_type is not None and (
            notice_type.category in rule.genuine_on or notice_type.code in rule.genuine_in
        ):
            return None
        # concurrent=True releases the GIL: documents checked in parallel threads really run in parallel
        hits = [
            match.group()
            for view in letter.views
            for match in rule.pattern.finditer(view, concurrent=True)
            if letter.line_confidence(view, match.start(), match.end()) >= rule.min_confidence
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
    payees = [
        read_payee(letter, match.start("payee"), match.group("payee"))
        for match in PAYEE.finditer(letter.text)
    ]
    wrong = [payee for payee in payees if payee is not None and not _is_treasury(payee)]
    if not wrong:
        return None
    return _flag("wrong_payee", "asks for payment to someone other than the United States Treasury", wrong)


def read_payee(letter: Letter, start: int, raw: str) -> str | None:
    """The payee named at ``raw`` (found at ``start`` in the text): its words up to the end of the sentence,
    a column gap, or the first word that is not part of a name or was read with low confidence. None when
    that names no one (only small words, or nothing capitalised: "payable to the order shown"), or when OCR
    noise cut it to less than two words of a name ("payable to Treasury |l1 Se"): too little to judge."""
    kept: list[str] = []
    previous_end = 0
    cut_by_noise = False
    for word in WORD_SPAN.finditer(raw):
        text, gap = word.group(), raw[previous_end : word.start()]
        # A column gap or a line end (the next line may be another column's), or the sentence goes on.
        if kept and ("  " in gap or "\t" in gap or "\n" in gap):
            break
        if text.lower().strip(".,:") in PAYEE_STOP_WORDS:
            break
        confident = letter.word_confidence(start + word.start(), start + word.end()) >= WORD_MIN_CONFIDENCE
        if not confident or not PAYEE_WORD.match(text):
            cut_by_noise = True
            break
        kept.append(text)
        previous_end = word.end()
        if text.endswith(".") and not ABBREVIATION.match(text):
            break  # the sentence ends here
    names = [word for word in kept if word.lower().strip(".:,") not in PAYEE_SMALL_WORDS]
    if not names or (cut_by_noise and len(names) < 2):
        return None
    payee = " ".join(kept)
    return payee if ABBREVIATION.match(kept[-1]) else payee.rstrip(".:,")


def _is_treasury(payee: str) -> bool:
    """The Treasury, or the start of its name where a line, column or OCR garbage cut it ("the United")."""
    if TREASURY_PAYEE.search(payee):
        return True
    words = payee.split()
    words = words[1:] if words and TREASURY_WORD["the"].fullmatch(words[0]) else words
    return any(
        0 < len(words) < len(name)
        and all(TREASURY_WORD[part].fullmatch(word) for word, part in zip(words, name, strict=False))
        for name in TREASURY_NAMES
    )


def detect_phones(letter: Letter) -> ScamSignal | None:
    numbers = [
        f"{match.group('area')}-{match.group('exchange')}-{match.group('line')}"
        for match in PHONE.finditer(letter.text)
        if letter.word_confidence(match.start(), match.end()) >= WORD_MIN_CONFIDENCE
    ]
    numbers += [
        f"{match.group('area')}-{match.group('exchange')}-{match.group('line')}"
        for phone in letter.extra_phones
        if (match := PHONE.fullmatch(phone.strip()))
    ]
    unknown = [number for number in numbers if not _is_official_phone(number)]
    if not unknown:
        return None
    return _flag("unknown_phone", "phone number not on the IRS list (unverified, not proof)", unknown)


def _is_official_phone(number: str) -> bool:
    """An IRS number, or one with a single digit misread ("800-829-1046"): too close to be evidence."""
    return official_phone_near(number, most_digits=1) is not None


def detect_links(letter: Letter) -> ScamSignal | None:
    hosts = [match.group("host") for match in URL_OR_DOMAIN.finditer(letter.text)]
    hosts += [match.group("host") for match in EMAIL.finditer(letter.text)]
    outside = [host for host in hosts if not _is_official_host(host) and host.lower() not in SHORT_LINK_HOSTS]
    if not outside:
        return None
    return _flag("outside_link", "points to a web or e-mail address outside irs.gov", outside)


def detect_short_link(letter: Letter) -> ScamSignal | None:
    links = [match.group() for match in SHORT_LINK.finditer(letter.text)]
    if not links:
        return None
    return _flag("short_link", "gives a shortened or numeric link that hides where it leads", links)


def _is_official_host(host: str) -> bool:
    """An IRS domain, or a .gov host one letter from one ("www.ars.gov"): no one but a government registers
    under .gov, so that is OCR's misreading, not a lookalike."""
    host = host.lower().removeprefix("www.")
    return any(
        host == domain
        or host.endswith("." + domain)
        or (host.endswith(".gov") and one_character_apart(host, domain))
        for domain in OFFICIAL_DOMAINS
    )


def _email_headers(letter: Letter) -> list[str]:
    return [match.group().strip() for match in EMAIL_HEADER.finditer(letter.text)]


def detect_email(letter: Letter) -> ScamSignal | None:
    headers = _email_headers(letter)
    if len(set(header.lower() for header in headers)) < 2:
        return None
    return _flag("email_origin", "was sent as an e-mail (the IRS does not start contact by e-mail)", headers)


def detect_phishing(letter: Letter) -> ScamSignal | None:
    """A printed e-mail or text message that asks to follow a link or confirm details: phishing on paper."""
    message = _email_headers(letter) + [match.group() for match in TEXT_MESSAGE.finditer(letter.text)]
    if not message:
        return None
    lures = [match.group() for view in letter.views for match in MESSAGE_LURE.finditer(view)]
    lures += [match.group() for match in SHORT_LINK.finditer(letter.text)]
    lures += [
        match.group()
        for match in URL_OR_DOMAIN.finditer(letter.text)
        if not _is_official_host(match.group("host"))
    ]
    lures += [match.group() for match in CLICK_LINK.finditer(letter.text)]
    if not lures:
        return None
    return _flag(
        "phishing_message",
        "a printed e-mail or text message asking to follow a link or confirm details (the IRS does not start "
        "contact by e-mail or text)",
        [*message[:1], *lures],
    )


def detect_not_from_irs(letter: Letter) -> ScamSignal | None:
    """A private firm's mailer dressed as a notice: it says it is a private firm, or shows two of a firm's
    marks (a firm's name, "speak with a tax specialist", a lien "notice" from public records, a case or file
    number) with no catalogued notice number behind them."""
    disclaimers = [match.group() for view in letter.views for match in PRIVATE_FIRM_DISCLAIMER.finditer(view)]
    marks = {
        name: found.group()
        for name, pattern in PRIVATE_FIRM_MARKS
        if (found := next((m for view in letter.views for m in pattern.finditer(view)), None)) is not None
    }
    catalogued = letter.notice_type is not None
    if not disclaimers and (len(marks) < 2 or (catalogued and len(marks) < 3)):
        return None
    return _flag("not_from_irs", NOT_FROM_IRS_DETAIL, [*disclaimers, *marks.values()])


def detect_full_ssn(letter: Letter) -> ScamSignal | None:
    last4s = full_ssn_last4s(letter.text)
    if not last4s:
        return None
    # Quote only the last four: the report must not spread the number it warns about.
    masked = [f"XXX-XX-{last4}" for last4 in last4s]
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
        code = match.group("zip")
        misread = campus and any(one_character_apart(code, known) for known in campus)  # "64969", 64999
        if campus and code not in campus and code not in taxpayer_zips and not misread:
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
    detect_short_link,
    detect_email,
    detect_phishing,
    detect_not_from_irs,
    detect_full_ssn,
    detect_ssn_mismatch,
    detect_return_address,
)
