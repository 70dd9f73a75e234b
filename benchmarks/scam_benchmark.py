"""Scam-check benchmark: a fresh, seeded set of fake and genuine letters, and how check_scam rates them.

    .venv/bin/python benchmarks/scam_benchmark.py [--seed N] [--count N] [--show-misses]

Letters are composed at random from phrase banks written for this benchmark (not the fixture letters in
fixtures/scams/): genuine notices of every catalog type in the IRS's wording, with official numbers and
campuses; scams of several kinds (lien "bureaus", gift cards and crypto, spoofed notices with private payees,
tax-relief mailers, refund phishing e-mails, arrest threats, data harvesting), each carrying two or three
red flags amid neutral filler. A light OCR noise is applied to both. Prints the detection rate (scams rated
high), false alarms (genuine rated high) and medium counts; exits 1 when the target (every scam high, no
genuine high) is missed.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.catalog import Catalog, load_catalog  # noqa: E402
from pipeline.models import Category, Field, ScamRisk  # noqa: E402
from pipeline.scam import OFFICIAL_PHONES, check_scam  # noqa: E402

FIRST = ["MARIA", "JAMES", "PRIYA", "DANIEL", "GRACE", "OMAR", "HELEN", "VICTOR", "NOOR", "PAUL", "ROSA"]
LAST = ["ALVAREZ", "BECKER", "CHEN", "DUBOIS", "OKAFOR", "NGUYEN", "KOWALSKI", "HARTMAN", "IBRAHIM", "LOPEZ"]
STREETS = [
    "412 ELM ST",
    "77 RIVERBEND RD",
    "3090 OAK HOLLOW DR",
    "15 MAPLE CT",
    "2208 W 5TH AVE",
    "9 PINE LN",
]
TOWNS = ["SPRINGFIELD IL 62704", "BOISE ID 83702", "DAYTON OH 45402", "RENO NV 89501", "MOBILE AL 36602"]
CAMPUSES = ["Kansas City, MO 64999-0025", "Austin, TX 73301-0025", "Ogden, UT 84201-0045",
            "Fresno, CA 93888-0025", "Cincinnati, OH 45999-0025", "Holtsville, NY 11742-0025",
            "Philadelphia, PA 19255-0025", "Atlanta, GA 39901-0025"]  # fmt: skip
MONTHS = ["January", "March", "April", "June", "August", "October", "November"]

GENUINE_BODIES = {
    Category.BALANCE_DUE: [
        "Our records show you owe ${amount} for tax year {year}.",
        "This is a reminder that you still have a balance of ${amount} on your {year} Form 1040.",
        "Pay the amount due by {date} to avoid more penalties and interest.",
        "Penalties and interest grow the longer the balance stays unpaid.",
        "If you paid the full balance in the past 14 days, you can disregard this notice.",
        "If we don't receive payment, we may file a Notice of Federal Tax Lien.",
    ],
    Category.INTENT_TO_LEVY: [
        "This is a final notice. We intend to seize (levy) your property or rights to property.",
        "Amount due immediately: ${amount}. Pay immediately to stop collection action.",
        "If you don't pay, we may levy your wages, bank accounts, vehicles and other property.",
        "We may file a Notice of Federal Tax Lien if we have not already done so.",
        "You have the right to a Collection Due Process hearing. Send Form 12153 by {date}.",
        "Seriously delinquent tax debt may lead the State Department to deny or revoke your passport.",
        "Notice of intent to levy and notice of your right to a hearing.",
    ],
    Category.PROPOSED_ADJUSTMENT: [
        "The income information we received from third parties doesn't match your {year} return.",
        "If the information is correct, the proposed amount due is ${amount}. This is not a bill.",
        "Complete the response form and send it by {date}, with copies of any documents.",
        "If you agree, sign the response form; if you disagree, explain why and include support.",
        "If we don't hear from you, we will send a notice of deficiency.",
    ],
    Category.DEFICIENCY: [
        "Notice of deficiency. We determined you owe additional tax of ${amount} for {year}.",
        "Last day to file a petition with the United States Tax Court: {date}.",
        "The Tax Court cannot consider a petition filed late; see www.ustaxcourt.gov.",
        "If you agree, sign and return Form 5564 so we can assess the tax.",
    ],
    Category.RETURN_CHANGED: [
        "We changed your {year} Form 1040 to correct a miscalculation.",
        "As a result of the change, you owe ${amount}. Pay by {date}.",
        "If you disagree, contact us within 60 days of the date of this notice to request a reversal.",
        "We applied your overpayment to an amount you owed for another tax year.",
    ],
    Category.UNFILED_RETURN: [
        "We have no record that you filed your {year} Form 1040. File your return immediately.",
        "If you filed within the past 8 weeks, you don't need to do anything.",
        "If you don't think you need to file, complete Form 15103 and send it to us.",
    ],
    Category.IDENTITY_VERIFICATION: [
        "We received a {year} return with your name and taxpayer identification number.",
        "Verify your identity at idverify.irs.gov within 30 days so we can process the return.",
        "If you didn't file this return, tell us when you verify your identity.",
    ],
    Category.INFORMATIONAL: [
        "Your account is in currently not collectible status; interest continues to accrue.",
        "You don't need to do anything if your financial situation has not changed.",
    ],
}
GENUINE_PAYMENT = [
    "Pay online at www.irs.gov/payments with Direct Pay or a debit or credit card.",
    "Mail a check or money order payable to the United States Treasury.",
    "Make your check payable to the U.S. Treasury; write your SSN, the tax year and the form number on it.",
    "If you can't pay in full, apply for a payment plan at www.irs.gov/paymentplan.",
    "For more information, visit www.irs.gov/notices or call the number above.",
]
UNLISTED_IRS_LIKE = ["801-620-7115", "559-454-6300", "512-460-7900"]  # campus-style local numbers

SCAM_HEADERS = [
    "FEDERAL TAX ENFORCEMENT BUREAU", "Department of Tax Compliance", "IRS Enforcement Unit",
    "U.S. Tax Collection Agency", "Internal Revenue Services - Collections", "Department of Treasury",
    "National Tax Lien Registry", "Treasury Tax Resolution Office", "Tax Levy Division",
    "Department of the Treasury / Internal Revenue Service",
]  # fmt: skip
SCAM_FLAGS = {
    "gift": [
        "Payment is accepted only in Target or Walmart gift cards.",
        "Buy ${amount} in Apple gift cards and keep the receipts.",
        "Load the balance onto prepaid Visa cards and call us with the numbers.",
        "Settle the amount with iTunes cards from any pharmacy.",
    ],
    "crypto": [
        "Send the balance in Bitcoin to the wallet address on the enclosed slip.",
        "Use a cryptocurrency kiosk to deposit the amount owed.",
        "We accept payment in USDT or Ethereum only.",
    ],
    "wire": [
        "Wire the funds to our escrow account, routing 021000021.",
        "Send a MoneyGram transfer to our settlement officer.",
        "Pay through Zelle or Cash App to the collections desk.",
        "Pay by Western Union to the agent named below.",
    ],
    "payee": [
        "Make checks payable to IRS Processing Center.",
        "Checks must be made out to Treasury Collection Services.",
        "Make your money order payable to: I.R.S. Settlement Unit.",
    ],
    "threat": [
        "A warrant will be issued and you will be arrested at your place of work.",
        "Local law enforcement has been notified and may arrest you.",
        "Your driver's license will be revoked and your passport flagged.",
        "Failure to respond will lead to deportation proceedings.",
        "Your Social Security number will be cancelled permanently.",
        "This matter will be referred for criminal prosecution.",
    ],
    "urgent": [
        "You must respond within 24 hours.",
        "Call before 4:00 PM today to stop the action.",
        "This offer expires at the close of business today.",
        "Respond no later than tomorrow or the case is closed against you.",
        "You have 48 hrs to resolve this balance.",
    ],
    "link": [
        "Pay securely at www.irs-payment-center.com.",
        "Visit taxrelief-now.net/claim to view your case.",
        "Click the link below to verify your account.",
        "Log in at https://secure-irs.refund-portal.org to continue.",
    ],
    "data": [
        "Send a copy of your driver's license, front and back, to our filing agent.",
        "Provide your online banking username and password so we can deposit the funds.",
        "Reply with your full Social Security number and your mother's maiden name.",
    ],
    "address": [
        "Mail your response to 2450 Lakeside Pkwy, Suite 300, Dallas, TX 75220.",
        "Return correspondence: P.O. Box 4410, Processing Center, Austin, TX 78741.",
        "Send payment to 18 Commerce Plaza Ste 12, Newark, NJ 07102.",
    ],
    "mailer": [
        "You may qualify for the Fresh Start Initiative and settle for pennies on the dollar.",
        "Our tax relief team can get a levy release within days.",
        "This company is not affiliated with any government agency.",
        "A small retainer fee is required to open your file.",
    ],
    "refund": [
        "You qualify for a tax rebate of ${amount}.",
        "An unclaimed refund of ${amount} is waiting for you.",
        "Claim your refund before it is returned to the Treasury.",
    ],
    "ssn": ["Social Security number: {full_ssn}", "Taxpayer: {name} SSN {full_ssn}"],
}
SCAM_KINDS = {
    "lien_bureau": (["threat", "urgent", "address", "mailer"], True, None),
    "gift_card": (["gift", "threat", "urgent"], True, None),
    "crypto": (["crypto", "urgent", "threat"], True, None),
    "spoofed_notice": (["payee", "address", "wire", "ssn", "link"], False, "CP2000"),
    "spoofed_levy": (["wire", "payee", "urgent", "gift", "address"], False, "CP504"),
    "relief_mailer": (["mailer", "urgent", "address"], True, None),
    "refund_phish": (["refund", "link", "data", "urgent"], True, None),
    "arrest": (["threat", "urgent", "wire", "gift"], True, None),
    "data_harvest": (["data", "refund", "ssn", "link"], True, None),
}
SCAM_FILLER = [
    "Our records show an outstanding federal tax balance of ${amount} for tax year {year}.",
    "This notice concerns your {year} federal income tax account.",
    "Please give this matter your immediate attention.",
    "Reference number: {ref}",
]
EMAIL_HEAD = (
    "From: IRS Online Services <notice@{domain}>\nTo: {email}\nSubject: Your tax account - action required\n"
)
# OCR confusions applied at random to a few words of every letter.
OCR_SWAPS = [("m", "rn"), ("l", "1"), ("O", "0"), ("e", "c"), ("S", "5")]


def random_person(rng: random.Random) -> dict[str, str]:
    return {
        "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "street": rng.choice(STREETS),
        "town": rng.choice(TOWNS),
        "ssn4": f"{rng.randrange(10000):04d}",
        "amount": f"{rng.randrange(200, 20000):,}.{rng.randrange(100):02d}",
        "year": str(rng.randrange(2018, 2024)),
        "date": f"{rng.choice(MONTHS)} {rng.randrange(1, 28)}, 2024",
        "ref": f"{rng.randrange(10, 99)}-{rng.randrange(10000, 99999)}",
        "full_ssn": f"{rng.randrange(100, 899)}-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}",
    }


def add_ocr_noise(text: str, rng: random.Random, rate: float = 0.02) -> str:
    words = text.split(" ")
    for index, word in enumerate(words):
        swap = rng.choice(OCR_SWAPS)
        if rng.random() < rate and swap[0] in word:
            words[index] = word.replace(swap[0], swap[1], 1)
    return " ".join(words)


def compose_genuine(rng: random.Random, catalog: Catalog) -> tuple[str, dict[str, Field]]:
    notice = rng.choice(catalog.notices)
    person = random_person(rng)
    phone = rng.choice(UNLISTED_IRS_LIKE) if rng.random() < 0.15 else rng.choice(sorted(OFFICIAL_PHONES))
    header = [
        f"Department of the Treasury          Notice {notice.code}",
        f"Internal Revenue Service            Tax year {person['year']}",
        f"{rng.choice(CAMPUSES)}              Notice date {person['date']}",
        f"                                    Social Security number XXX-XX-{person['ssn4']}",
        f"                                    To contact us {phone}",
        person["name"],
        person["street"],
        person["town"],
        "",
    ]
    bank = GENUINE_BODIES[notice.category if notice.category in GENUINE_BODIES else Category.BALANCE_DUE]
    body = rng.sample(bank, k=min(len(bank), rng.randrange(3, 6)))
    payment = rng.sample(GENUINE_PAYMENT, k=2) if notice.amount_due.value != "absent" else []
    text = "\n".join(header + [line.format(**person) for line in body + payment])
    fields = {"notice_number": Field(value=notice.code), "ssn_last4": Field(value=person["ssn4"])}
    return add_ocr_noise(text, rng), fields


def compose_scam(rng: random.Random) -> tuple[str, dict[str, Field], str]:
    kind = rng.choice(sorted(SCAM_KINDS))
    families, has_fake_header, code = SCAM_KINDS[kind]
    person = random_person(rng)
    chosen = rng.sample(families, k=min(len(families), rng.randrange(2, 4)))
    lines = [
        rng.choice(SCAM_HEADERS)
        if has_fake_header
        else "Department of the Treasury  Internal Revenue Service"
    ]
    if code:
        lines.append(f"Notice {code}    Notice date {person['date']}")
    lines += [person["name"], person["street"], person["town"], ""]
    body = [rng.choice(SCAM_FILLER)] + [rng.choice(SCAM_FLAGS[family]) for family in chosen]
    rng.shuffle(body)
    phone = f"{rng.choice(['888', '877', '866', '213', '305'])}-555-01{rng.randrange(10, 99)}"
    lines += body + [f"Call our office at {phone}."]
    text = "\n".join(line.format(**person) for line in lines)
    if kind == "refund_phish":
        text = EMAIL_HEAD.format(domain="irs-notice.support", email="taxpayer@example.com") + text
    fields = {"notice_number": Field(value=code), "ssn_last4": Field(value=None)}
    return add_ocr_noise(text, rng), fields, kind


def run(seed: int, count: int, show_misses: bool) -> bool:
    rng = random.Random(seed)
    catalog = load_catalog()
    scams: Counter[ScamRisk] = Counter()
    genuine: Counter[ScamRisk] = Counter()
    missed_kinds: Counter[str] = Counter()
    for _ in range(count):
        text, fields, kind = compose_scam(rng)
        result = check_scam(text, fields, catalog.get(str(fields["notice_number"].value)), catalog, None)
        scams[result.risk] += 1
        if result.risk is not ScamRisk.HIGH:
            missed_kinds[kind] += 1
            if show_misses:
                print(f"--- missed scam ({kind}, {result.risk}, {result.score}):\n{text}\n")
    for _ in range(count):
        text, fields = compose_genuine(rng, catalog)
        result = check_scam(text, fields, catalog.get(str(fields["notice_number"].value)), catalog, None)
        genuine[result.risk] += 1
        if show_misses and result.risk is not ScamRisk.LOW:
            codes = ", ".join(signal.code for signal in result.signals)
            print(f"--- genuine rated {result.risk} ({result.score}: {codes}):\n{text}\n")
    report(seed, count, scams, genuine, missed_kinds)
    return scams[ScamRisk.HIGH] == count and genuine[ScamRisk.HIGH] == 0


def report(
    seed: int, count: int, scams: Counter[ScamRisk], genuine: Counter[ScamRisk], missed: Counter[str]
) -> None:
    print(f"seed {seed}: {count} scam letters, {count} genuine letters")
    print(
        f"scams:   detected (high) {scams[ScamRisk.HIGH]}/{count} = {scams[ScamRisk.HIGH] / count:.1%}, "
        f"medium {scams[ScamRisk.MEDIUM]}, low {scams[ScamRisk.LOW]}"
    )
    alarms = genuine[ScamRisk.HIGH]
    print(
        f"genuine: false alarms (high) {alarms}/{count} = {alarms / count:.1%}, "
        f"medium {genuine[ScamRisk.MEDIUM]}, low {genuine[ScamRisk.LOW]}"
    )
    if missed:
        print("scams not rated high, by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(missed.items())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--count", type=int, default=150, help="letters of each kind (at least 100)")
    parser.add_argument("--show-misses", action="store_true", help="print the letters rated wrongly")
    args = parser.parse_args(argv)
    if args.count < 100:
        parser.error("--count must be at least 100")
    return 0 if run(args.seed, args.count, args.show_misses) else 1


if __name__ == "__main__":
    sys.exit(main())
