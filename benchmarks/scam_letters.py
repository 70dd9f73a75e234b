"""Fake letters for the scam benchmark, composed fresh from a seed (never the tuned fixtures/scams/ files).

``compose_scam(rng)`` returns ``(text, fields, kind)``. Each kind is a template whose every line is picked
from alternatives, so a new seed gives new wording, not only new names and amounts:

- fake-agency letters (lien "bureaus", gift cards, crypto, arrest threats, data harvesting, refund lures);
- spoofed notices that carry a real notice number (CP2000, CP504) with a private payee, wire payment...;
- ``lookalike_mailer``: a private "tax relief" firm's mailer made to look like a notice ("Final notice of
  tax lien", a "Tax Resolution Department", a case ID, "speak with a tax specialist", a private number, and
  most of the time the fine print "not affiliated with any government agency");
- ``phish_email`` and ``phish_text``: phishing e-mails and text messages printed on paper, in the wording of
  examples the IRS and the FTC have quoted (refund "e-statements", "eligible to receive a tax refund",
  "your account has been suspended", "payment rejected", the COVID "direct deposit" text), with a link that
  is not on irs.gov, shortened, numeric, or only "click here".

A light OCR noise (letter swaps) is applied to every letter.
"""

from __future__ import annotations

import random

from pipeline.models import Field

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
COUNTIES = ["Sangamon", "Ada", "Montgomery", "Washoe", "Mobile", "Travis", "Lancaster"]
MONTHS = ["January", "March", "April", "June", "August", "October", "November"]
# OCR confusions applied at random to a few words of every letter.
OCR_SWAPS = [("m", "rn"), ("l", "1"), ("O", "0"), ("e", "c"), ("S", "5")]

SCAM_HEADERS = [
    "FEDERAL TAX ENFORCEMENT BUREAU", "Department of Tax Compliance", "IRS Enforcement Unit",
    "U.S. Tax Collection Agency", "Internal Revenue Services - Collections", "Department of Treasury",
    "National Tax Lien Registry", "Treasury Tax Resolution Office", "Tax Levy Division",
    "Department of the Treasury / Internal Revenue Service", "Bureau of Tax Collections",
    "IRS Legal Department - Case Processing",
]  # fmt: skip
SCAM_FLAGS = {
    "gift": [
        "Payment is accepted only in Target or Walmart gift cards.",
        "Buy ${amount} in Apple gift cards and keep the receipts.",
        "Load the balance onto prepaid Visa cards and call us with the numbers.",
        "Settle the amount with iTunes cards from any pharmacy.",
        "Purchase Google Play cards for the full balance and read us the codes.",
    ],
    "crypto": [
        "Send the balance in Bitcoin to the wallet address on the enclosed slip.",
        "Use a cryptocurrency kiosk to deposit the amount owed.",
        "We accept payment in USDT or Ethereum only.",
        "Deposit cash at a Bitcoin ATM using the QR code below.",
    ],
    "wire": [
        "Wire the funds to our escrow account, routing 021000021.",
        "Send a MoneyGram transfer to our settlement officer.",
        "Pay through Zelle or Cash App to the collections desk.",
        "Pay by Western Union to the agent named below.",
        "Wire transfer the balance today to avoid enforcement.",
    ],
    "payee": [
        "Make checks payable to IRS Processing Center.",
        "Checks must be made out to Treasury Collection Services.",
        "Make your money order payable to: I.R.S. Settlement Unit.",
        "Make all checks payable to National Tax Services LLC.",
        "Pay to the order of Federal Tax Resolution Group.",
    ],
    "threat": [
        "A warrant will be issued and you will be arrested at your place of work.",
        "Local law enforcement has been notified and may arrest you.",
        "Your driver's license will be revoked and your passport flagged.",
        "Failure to respond will lead to deportation proceedings.",
        "Your Social Security number will be cancelled permanently.",
        "This matter will be referred for criminal prosecution.",
        "The sheriff's office will be sent to your home to collect.",
    ],
    "urgent": [
        "You must respond within 24 hours.",
        "Call before 4:00 PM today to stop the action.",
        "This offer expires at the close of business today.",
        "Respond no later than tomorrow or the case is closed against you.",
        "You have 48 hrs to resolve this balance.",
        "Act within seventy-two hours to avoid further action.",
    ],
    "link": [
        "Pay securely at www.irs-payment-center.com.",
        "Visit taxrelief-now.net/claim to view your case.",
        "Click the link below to verify your account.",
        "Log in at https://secure-irs.refund-portal.org to continue.",
        "Resolve your balance online: bit.ly/irs-case-{ref}",
    ],
    "data": [
        "Send a copy of your driver's license, front and back, to our filing agent.",
        "Provide your online banking username and password so we can deposit the funds.",
        "Reply with your full Social Security number and your mother's maiden name.",
        "Include your debit card number and PIN on the enclosed form.",
    ],
    "address": [
        "Mail your response to 2450 Lakeside Pkwy, Suite 300, Dallas, TX 75220.",
        "Return correspondence: P.O. Box 4410, Processing Center, Austin, TX 78741.",
        "Send payment to 18 Commerce Plaza Ste 12, Newark, NJ 07102.",
        "Remit to 900 Market St Suite 1800, Philadelphia, PA 19107.",
    ],
    "mailer": [
        "You may qualify for the Fresh Start Initiative and settle for pennies on the dollar.",
        "Our tax relief team can get a levy release within days.",
        "This company is not affiliated with any government agency.",
        "A small retainer fee is required to open your file.",
        "We can reduce your IRS debt by up to 80%.",
    ],
    "refund": [
        "You qualify for a tax rebate of ${amount}.",
        "An unclaimed refund of ${amount} is waiting for you.",
        "Claim your refund before it is returned to the Treasury.",
        "You are eligible to receive a tax refund of ${amount}.",
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
    "Amount owed: ${amount}",
]

# --- lookalike mailers from private tax-relief firms ---------------------------------------------------
LOOKALIKE_HEADERS = [
    "FINAL NOTICE OF TAX LIEN", "NOTICE OF STATE TAX LIEN", "SECOND ATTEMPT - TAX LIEN NOTICE",
    "IMPORTANT: FEDERAL TAX LIEN NOTICE", "Final Notice of Tax Lien Filing", "TAX LIEN NOTIFICATION - FINAL",
]  # fmt: skip
LOOKALIKE_FIRMS = [
    "Tax Resolution Department", "Tax Relief Center", "National Tax Settlement Services",
    "{county} County Tax Solutions Group", "Tax Debt Resolution Office", "Federal Tax Resolution Team",
]  # fmt: skip
LOOKALIKE_IDS = ["Case ID: {case}", "File number: {case}", "Case No. {case}", "Client ID: {case}"]
LOOKALIKE_BODIES = [
    "Public records show that a tax lien may be filed against you in {county} County.",
    "Our search of county records indicates a tax debt of ${amount} in your name.",
    "A tax lien has been filed against you in {county} County for the amount of ${amount}.",
    "County records show unresolved tax liabilities that may lead to wage garnishment.",
    "Once a lien is recorded, your wages, bank accounts and property may be seized.",
    "You still have options to resolve this before further collection action.",
]
LOOKALIKE_CALLS = [
    "Call {phone} to speak with a tax specialist about your file.",
    "Call {phone} today to speak with a tax specialist.",
    "Please call {phone} to talk to one of our case managers. Have your case ID ready.",
    "To review your options, call {phone} and speak to a licensed tax professional.",
    "Call {phone} now to speak with a case manager regarding your file number.",
]
LOOKALIKE_FINE_PRINT = [
    "{firm} is a private company and is not affiliated with any government agency.",
    "This is not a government notice. We are not affiliated with the IRS or any state agency.",
    "{firm} is privately owned and is not associated with the Internal Revenue Service.",
    "Not affiliated with any government agency. This is an advertisement for tax services.",
]

# --- phishing e-mails and text messages, printed -------------------------------------------------------
PHISH_SENDERS = [
    "IRS Tax Refund <no-reply@{domain}>", "Internal Revenue Service <service@{domain}>",
    "IRS Online Account <security@{domain}>", '"Internal Revenue Service" <refunds@{domain}>',
    "IRS.gov <notice@{domain}>",
]  # fmt: skip
PHISH_DOMAINS = [
    "irs-refunds-online.com", "irs-gov.support", "irs-account-verify.org", "taxrefund-irs.net",
    "irsgov-notice.info", "refund-status-irs.co", "irs.gov.account-center.xyz",
]  # fmt: skip
PHISH_SUBJECTS = [
    "Your tax refund e-statement is ready", "Tax Refund Notification - Action Required",
    "Important: Your IRS online account has been suspended", "Federal Tax payment rejected",
    "Recalculation of your tax refund payment", "Verify your identity to receive your refund",
    "Income Tax Refund REJECTED",
]  # fmt: skip
PHISH_BODIES = [
    "After the last annual calculations of your fiscal activity we have determined that you are eligible to "
    "receive a tax refund of ${amount}.",
    "Your tax refund e-statement for the {year} tax year is ready. Refund amount: ${amount}.",
    "We detected unusual sign-in activity on your IRS online account. Your account has been suspended.",
    "Your Tax payment (ID: {ref}), recently sent from your checking account was rejected by your bank.",
    "Your income tax refund has been rejected. You can resubmit your appeal by clicking the link below.",
    "Our records show a refund of ${amount} is pending. To release it, verify your identity.",
    "Your refund is on hold until you confirm your bank account details.",
]
PHISH_ACTIONS = [
    "To access the form for your tax refund, click here: {link}",
    "Fill out a form to receive your refund: {link}",
    "To restore your access, verify your identity using the secure link below:\n{link}",
    "Click here to view your e-statement and confirm your information.",
    "Use the following personalized link to continue: {link}",
    "Please update your information at {link} within 48 hours.",
]
PHISH_LINKS = [
    "https://{domain}/claim?id={ref}", "http://0x7C.0x3.0x3A.0x85/www.irs.gov/taxrefund.php", "bit.ly/3{ref}",
    "tinyurl.com/irs-{ref}", "https://irs.gov.{domain}/verify", "www.{domain}/refund",
]  # fmt: skip
TEXT_HEADS = [
    "Text Message\nToday {time}\n{sender}",
    "{sender}\nText Message - {time}",
    "SMS from {sender}\n{time}",
]
TEXT_BODIES = [
    "You have received a direct deposit of ${amount} from COVID-19 TREAS FUND. Further action is required to "
    "accept this payment into your account. Continue here to accept this payment: {link}",
    "IRS: Your tax refund of ${amount} is pending. Tap the link to claim it: {link}",
    "IRS Notice: your account has been locked due to suspicious activity. Verify your identity at {link}",
    "US-Treasury: You are eligible for a tax rebate of ${amount}. Claim your refund here {link}",
    "IRS: Your refund payment is waiting. Confirm your bank details: {link} Reply STOP to opt out",
]


def random_person(rng: random.Random) -> dict[str, str]:
    return {
        "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "street": rng.choice(STREETS),
        "town": rng.choice(TOWNS),
        "ssn4": f"{rng.randrange(10000):04d}",
        "amount": f"{rng.randrange(200, 20000):,}.{rng.randrange(100):02d}",
        "year": str(rng.randrange(2018, 2025)),
        "date": f"{rng.choice(MONTHS)} {rng.randrange(1, 28)}, 2024",
        "ref": f"{rng.randrange(10, 99)}{rng.randrange(10000, 99999)}",
        "full_ssn": f"{rng.randrange(100, 899)}-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}",
        "county": rng.choice(COUNTIES),
        "case": f"{rng.choice(['TR', 'FL', 'TL', 'CS'])}-{rng.randrange(10000, 99999)}",
        "domain": rng.choice(PHISH_DOMAINS),
        "time": f"{rng.randrange(1, 12)}:{rng.randrange(60):02d} {rng.choice(['AM', 'PM'])}",
    }


def private_phone(rng: random.Random) -> str:
    area = rng.choice(["888", "877", "866", "855", "844"])
    return f"1-{area}-{rng.randrange(200, 999)}-{rng.randrange(10000):04d}"


def add_ocr_noise(text: str, rng: random.Random, rate: float = 0.02) -> str:
    words = text.split(" ")
    for index, word in enumerate(words):
        swap = rng.choice(OCR_SWAPS)
        if rng.random() < rate and swap[0] in word:
            words[index] = word.replace(swap[0], swap[1], 1)
    return " ".join(words)


def compose_scam(rng: random.Random) -> tuple[str, dict[str, Field], str]:
    kind = rng.choice(
        [*sorted(SCAM_KINDS), "lookalike_mailer", "lookalike_mailer", "phish_email", "phish_text"]
    )
    person = random_person(rng)
    if kind == "lookalike_mailer":
        text, code = compose_lookalike(rng, person), None
    elif kind == "phish_email":
        text, code = compose_phish_email(rng, person), None
    elif kind == "phish_text":
        text, code = compose_phish_text(rng, person), None
    else:
        text, code = compose_fake_notice(rng, person, kind)
    fields = {"notice_number": Field(value=code), "ssn_last4": Field(value=None)}
    return add_ocr_noise(text, rng), fields, kind


def compose_fake_notice(rng: random.Random, person: dict[str, str], kind: str) -> tuple[str, str | None]:
    families, has_fake_header, code = SCAM_KINDS[kind]
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
        text = f"From: IRS Online Services <notice@{person['domain']}>\nSubject: Your tax account\n" + text
    return text, code


def compose_lookalike(rng: random.Random, person: dict[str, str]) -> str:
    firm = rng.choice(LOOKALIKE_FIRMS).format(**person)
    person = {**person, "firm": firm, "phone": private_phone(rng)}
    header = f"{rng.choice(LOOKALIKE_HEADERS)}          {rng.choice(LOOKALIKE_IDS)}"
    body = rng.sample(LOOKALIKE_BODIES, k=rng.randrange(2, 4))
    lines = [
        header,
        firm,
        f"Response due: {person['date']}",
        "",
        person["name"],
        person["street"],
        person["town"],
    ]
    lines += ["", *body, rng.choice(LOOKALIKE_CALLS)]
    if rng.random() < 0.75:  # most print the disclaimer their regulators require; some leave it out
        lines += ["", rng.choice(LOOKALIKE_FINE_PRINT)]
    return "\n".join(line.format(**person) for line in lines)


def compose_phish_email(rng: random.Random, person: dict[str, str]) -> str:
    person = {**person, "link": rng.choice(PHISH_LINKS).format(**person)}
    headers = [f"From: {rng.choice(PHISH_SENDERS)}", f"Subject: {rng.choice(PHISH_SUBJECTS)}"]
    if rng.random() < 0.6:
        headers.insert(1, f"To: {person['name'].split()[0].lower()}@example.com")
    if rng.random() < 0.5:
        headers.insert(1, f"Sent: {person['date']} {person['time']}")
    body = [rng.choice(["Dear Taxpayer,", "Internal Revenue Service", "IRS Refund Department", ""])]
    body += [rng.choice(PHISH_BODIES), rng.choice(PHISH_ACTIONS)]
    if rng.random() < 0.4:
        body.append(rng.choice(["Regards, Internal Revenue Service", "IRS Customer Care", "Thank you."]))
    return "\n".join(line.format(**person) for line in [*headers, "", *body])


def compose_phish_text(rng: random.Random, person: dict[str, str]) -> str:
    sender = rng.choice(
        [f"+1 ({rng.randrange(201, 989)}) {rng.randrange(200, 999)}-{rng.randrange(10000):04d}", "IRS-Alert"]
    )
    person = {**person, "sender": sender, "link": rng.choice(PHISH_LINKS).format(**person)}
    lines = [rng.choice(TEXT_HEADS), "", rng.choice(TEXT_BODIES)]
    return "\n".join(line.format(**person) for line in lines)
