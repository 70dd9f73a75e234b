"""The calendar feed: a tenant's open deadlines as an iCalendar (RFC 5545) file a calendar subscribes to.

``deadline_events(store, tenant, as_of, catalog) -> list[DeadlineEvent]`` takes every open deadline
(``pipeline.reminders.open_deadlines``) with the taxpayer profile its notice matched and its version (how
many times its result was replaced: a correction, an accept, a reject). ``calendar_feed(events, stamp,
notice_url) -> bytes`` writes them with ``icalendar``, one all-day event each on the deadline:

- UID ``<document id>@noticeflow``, the same in every feed; SEQUENCE the version, so a calendar replaces
  the event when a notice is corrected; a closed (rejected) notice leaves the feed;
- SUMMARY: notice, client, amount due; DESCRIPTION: the notice's title, the client (the name as in the
  profile, else as printed; SSN last 4 only), the amount, the route, days left, the notice page's link;
- two display alarms, 7 days and 1 day before.
The whole feed goes through ``mask_full_ssns`` last: no full SSN leaves in it, whatever a field held.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from icalendar import Alarm, Calendar, Event

from extractors.ssn import mask_full_ssns
from pipeline.catalog import Catalog
from pipeline.models import Frozen, NoticeResult
from pipeline.profiles import TaxpayerProfile
from pipeline.reminders import open_deadlines
from pipeline.store import Store

ALARMS_BEFORE = (dt.timedelta(days=7), dt.timedelta(days=1))


class DeadlineEvent(Frozen):
    result: NoticeResult  # triaged for the day the feed is made
    deadline: dt.date
    profile: TaxpayerProfile | None = None
    version: int = 0  # results before the current one


def deadline_events(store: Store, tenant: str, as_of: dt.date, catalog: Catalog) -> list[DeadlineEvent]:
    events = []
    for item in open_deadlines(store, tenant, as_of, catalog):
        result = item.result
        profile = store.get_profile(result.profile_id, tenant) if result.profile_id else None
        version = len(store.history(result.document_id, tenant)) - 1
        events.append(DeadlineEvent(result=result, deadline=item.deadline, profile=profile, version=version))
    return events


def calendar_feed(events: list[DeadlineEvent], stamp: dt.datetime, notice_url: Callable[[str], str]) -> bytes:
    """The feed; ``stamp``: when it is made (DTSTAMP); ``notice_url``: a document id's review page."""
    calendar = Calendar()
    calendar.add("prodid", "-//noticeflow//IRS notice deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "IRS notice deadlines")
    for event in events:
        calendar.add_component(_event(event, stamp, notice_url(event.result.document_id)))
    return mask_full_ssns(calendar.to_ical().decode()).encode()


def _event(event: DeadlineEvent, stamp: dt.datetime, link: str) -> Event:
    summary = _summary(event)
    entry = Event()
    entry.add("uid", f"{event.result.document_id}@noticeflow")
    entry.add("sequence", event.version)
    entry.add("dtstamp", stamp)
    entry.add("dtstart", event.deadline)
    entry.add("dtend", event.deadline + dt.timedelta(days=1))
    entry.add("summary", summary)
    entry.add("description", _description(event, link))
    entry.add("url", link)
    entry.add("transp", "TRANSPARENT")  # a deadline, not a meeting: the day stays free
    for before in ALARMS_BEFORE:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -before)
        alarm.add("description", f"{summary} (in {before.days} days)")
        entry.add_component(alarm)
    return entry


def notice_link(base_url: str, document_id: str) -> str:
    """The notice's review page (flows.web serves it at /notices/ID)."""
    return f"{base_url.rstrip('/')}/notices/{document_id}"


def client_label(result: NoticeResult, profile: TaxpayerProfile | None) -> str:
    """The client as a person reads it: the profile's name (else the printed one), SSN last 4 only."""
    name = profile.name if profile else result.field_value("taxpayer_name")
    last4 = profile.ssn_last4 if profile else result.field_value("ssn_last4")
    ssn = f" (SSN ending {last4})" if last4 else ""
    return f"{name or 'client unknown'}{ssn}"


def _summary(event: DeadlineEvent) -> str:
    result = event.result
    notice = result.field_value("notice_number") or "IRS notice"
    amount = result.field_value("amount_due")
    owed = f", ${amount} due" if amount else ""
    return f"{notice} deadline: {client_label(result, event.profile)}{owed}"


def _description(event: DeadlineEvent, link: str) -> str:
    result = event.result
    title = result.notice_type.title if result.notice_type and result.notice_type.title else None
    amount = result.field_value("amount_due")
    lines = [
        f"Notice: {result.field_value('notice_number') or 'unknown'}" + (f" ({title})" if title else ""),
        f"Client: {client_label(result, event.profile)}",
        f"Amount due: ${amount}" if amount else "Amount due: none printed",
        f"Route: {result.triage.route or 'not routed'}",
        f"Status: {result.status.value}, priority {result.triage.priority.value}",
        f"Open the notice: {link}",
    ]
    return "\n".join(lines)
