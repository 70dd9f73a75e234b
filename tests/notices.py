"""Field values of notices shared by several test modules."""

# The Sullivans' CP14 (profile client-7 in fixtures/profiles.json), as extraction gives it.
CP14_FIELDS = {
    "notice_number": "CP14",
    "tax_year": 2023,
    "ssn_last4": "3051",
    "taxpayer_name": "JENNIFER & MARK SULLIVAN",
    "address": "1201 PRAIRIE LN, LINCOLN, NE 68510",
    "amount_due": "5181.72",
    "notice_date": "2024-05-20",
    "deadline": "2024-06-10",
}
