"""The morning digest: one message per tenant of what needs a person today.

``build_digest(store, tenant, as_of, catalog, new_since) -> Digest`` reads the tenant's open notices
(``pipeline.reminders``; a rejected notice is closed) triaged for ``as_of`` and sorts them into four lists:
overdue (the deadline passed), due within ``pipeline.triage.URGENT_DAYS`` days, suspected scams (scam risk
medium or high) and notices waiting for review; a notice first seen at ``new_since`` or later (since the
last digest) is marked new. A notice may be in several lists, each nearest deadline first. ``digest_text`` and
``digest_html`` write it for people (the HTML escaped, a simple table per list); each line names the
notice, the client (the profile's name, SSN last 4 only), the amount and the deadline, with a link when
a base URL is given. Both go through ``mask_full_ssns``: no full SSN leaves in a digest. Nothing is
written to the store: sending is the caller's (flows.digest).
"""

from __future__ import annotations

import datetime as dt
import html

from extractors.ssn import mask_full_ssns
from pipeline.catalog import Catalog
from pipeline.deadline_feed import client_label, notice_link
from pipeline.models import Frozen, NoticeResult, ScamRisk, Status
from pipeline.reminders import open_results
from pipeline.store import Store
from pipeline.triage import URGENT_DAYS, for_day

SECTIONS = (
    ("overdue", "Overdue"),
    ("due_soon", f"Due within {URGENT_DAYS} days"),
    ("scams", "Suspected scams"),
    ("waiting_review", "Waiting for review"),
)


class DigestLine(Frozen):
    document_id: str
    notice: str
    client: str
    amount_due: str | None
    deadline: str | None
    days_left: int | None
    is_new: bool = False


class Digest(Frozen):
    tenant: str
    as_of: dt.date
    overdue: tuple[DigestLine, ...] = ()
    due_soon: tuple[DigestLine, ...] = ()
    scams: tuple[DigestLine, ...] = ()
    waiting_review: tuple[DigestLine, ...] = ()

    def section(self, name: str) -> tuple[DigestLine, ...]:
        lines: tuple[DigestLine, ...] = getattr(self, name)
        return lines

    @property
    def is_empty(self) -> bool:
        return not any(self.section(name) for name, _ in SECTIONS)

    @property
    def new_in_review(self) -> int:
        return sum(line.is_new for line in self.waiting_review)

    def heading(self, name: str, title: str) -> str:
        """A list's title with its count; the review list says how many are new."""
        new = f", {self.new_in_review} new" if name == "waiting_review" else ""
        return f"{title} ({len(self.section(name))}{new})"

    @property
    def subject(self) -> str:
        counts = ", ".join(f"{len(self.section(name))} {title.lower()}" for name, title in SECTIONS)
        return f"IRS notices on {self.as_of}: {counts} ({self.new_in_review} new)"


def build_digest(
    store: Store, tenant: str, as_of: dt.date, catalog: Catalog, new_since: dt.datetime
) -> Digest:
    lists: dict[str, list[DigestLine]] = {name: [] for name, _ in SECTIONS}
    new = store.documents_since(new_since, tenant)
    for stored in open_results(store, tenant):
        result = for_day(stored, as_of, catalog)
        profile = store.get_profile(result.profile_id, tenant) if result.profile_id else None
        line = DigestLine(
            document_id=result.document_id,
            notice=str(result.field_value("notice_number") or "IRS notice"),
            client=client_label(result, profile),
            amount_due=_text(result.field_value("amount_due")),
            deadline=_text(result.field_value("deadline")),
            days_left=result.triage.days_left,
            is_new=result.document_id in new,
        )
        for name in _sections_of(result):
            lists[name].append(line)
    ordered = {name: tuple(sorted(lines, key=_urgency)) for name, lines in lists.items()}
    return Digest(tenant=tenant, as_of=as_of, **ordered)


def _sections_of(result: NoticeResult) -> list[str]:
    days = result.triage.days_left
    names = []
    if days is not None and days < 0:
        names.append("overdue")
    elif days is not None and days <= URGENT_DAYS:
        names.append("due_soon")
    if result.scam.risk is not ScamRisk.LOW:
        names.append("scams")
    if result.status is Status.NEEDS_REVIEW:
        names.append("waiting_review")
    return names


def _urgency(line: DigestLine) -> tuple[int, str]:
    return (line.days_left if line.days_left is not None else 1_000_000, line.document_id)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _describe(line: DigestLine) -> str:
    amount = f", ${line.amount_due} due" if line.amount_due else ""
    if line.days_left is None:
        when = "no deadline"
    elif line.days_left < 0:
        when = f"deadline {line.deadline}, {-line.days_left} days ago"
    else:
        when = f"deadline {line.deadline}, {line.days_left} days left"
    return f"{'NEW ' if line.is_new else ''}{line.notice}: {line.client}{amount}; {when}"


def digest_text(digest: Digest, base_url: str | None = None) -> str:
    out = [f"{digest.subject}.", ""]
    for name, title in SECTIONS:
        lines = digest.section(name)
        out.append(digest.heading(name, title))
        for line in lines:
            link = f" {notice_link(base_url, line.document_id)}" if base_url else ""
            out.append(f"- {_describe(line)}{link}")
        out.append("")
    return mask_full_ssns("\n".join(out))


def digest_html(digest: Digest, base_url: str | None = None) -> str:
    parts = [f"<html><body><p>{html.escape(digest.subject)}.</p>"]
    for name, title in SECTIONS:
        lines = digest.section(name)
        parts.append(f"<h3>{html.escape(digest.heading(name, title))}</h3><ul>")
        for line in lines:
            text = html.escape(_describe(line))
            if base_url:
                href = html.escape(notice_link(base_url, line.document_id), quote=True)
                text = f'<a href="{href}">{text}</a>'
            parts.append(f"<li>{text}</li>")
        parts.append("</ul>")
    parts.append("</body></html>")
    return mask_full_ssns("".join(parts))
