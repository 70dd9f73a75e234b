"""The review pages (flows.web) in-process with FastAPI's TestClient, and the archive they read pages from
(pipeline.archive): login, sessions and CSRF, tenant isolation on pages and page images, reviews through
forms, letters, profiles, and accessibility basics (labels, focus order). Born-digital samples only: no
tesseract, a tmp SQLite store."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from flows.api import create_app
from flows.api_keys import ApiSettings
from flows.web_pages import COOKIE, WebSettings
from pipeline.archive import (
    PreviewConfig,
    archive_document,
    archived_path,
    keep_original,
    orient_to_boxes,
    preview_page,
    preview_pages,
)
from pipeline.load import hash_file
from pipeline.models import NoticeResult, Status
from pipeline.process import PipelineContext, process_document
from pipeline.profiles import load_profiles
from pipeline.settings import Settings
from pipeline.store import Store, open_store

ROOT = Path(__file__).parent.parent
SAMPLES = ROOT / "fixtures" / "samples"
AS_OF = dt.date(2026, 5, 12)
ACME_KEY, BETA_KEY = "acme-key-0123456789abcdef", "beta-key-0123456789abcdef"
SECRET = "a-session-secret-of-at-least-32-characters"
ACME_SAMPLES = ("notice_0006.pdf", "notice_0011.pdf", "notice_0022.pdf")  # CP90, CP503, CP3219A (2 pages)
BETA_SAMPLE = "notice_0017.pdf"  # CP504


# ---- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def processed() -> dict[str, NoticeResult]:
    """The samples' results, as of AS_OF, matched against the sample profiles (computed once)."""
    context = PipelineContext.default(AS_OF, Settings(), load_profiles(SAMPLES / "profiles.json"))
    return {
        name: process_document(SAMPLES / name, context, source=name) for name in (*ACME_SAMPLES, BETA_SAMPLE)
    }


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def store(home: Path, processed: dict[str, NoticeResult]) -> Iterator[Store]:
    """acme has three notices (archived) and every sample profile; beta has one notice and one profile."""
    opened = open_store(f"sqlite:///{home / 'noticeflow.db'}")
    for profile in load_profiles(SAMPLES / "profiles.json"):
        opened.put_profile(profile, "acme")
    beta_profile = next(p for p in load_profiles(SAMPLES / "profiles.json") if p.id == "client-17")
    opened.put_profile(beta_profile, "beta")
    for name, result in processed.items():
        archive_document(SAMPLES / name, result.document_id, home)
        opened.save_result(result, "beta" if name == BETA_SAMPLE else "acme", actor="test")
    yield opened
    opened.close()


def make_app(home: Path, store: Store, keys: str = f"acme:{ACME_KEY},beta:{BETA_KEY}") -> FastAPI:
    api_settings = ApiSettings(home=home, api_keys=SecretStr(keys), workers=1)
    return create_app(api_settings, store, WebSettings(session_secret=SecretStr(SECRET), as_of=AS_OF))


@pytest.fixture
def app(home: Path, store: Store) -> FastAPI:
    return make_app(home, store)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, client=("127.0.0.1", 50000), follow_redirects=False) as test_client:
        yield test_client


def doc_id(processed: dict[str, NoticeResult], name: str) -> str:
    return processed[name].document_id


def text_of(html: str) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def log_in(client: TestClient, key: str = ACME_KEY, reviewer: str = "Dana") -> httpx.Response:
    page = client.get("/login")
    assert page.status_code == 200, page.text
    return client.post(
        "/login", data={"csrf_token": csrf_of(page.text), "api_key": key, "reviewer": reviewer, "next": "/"}
    )


@pytest.fixture
def acme(client: TestClient) -> TestClient:
    assert log_in(client).status_code == 303
    return client


def page_csrf(client: TestClient, path: str = "/") -> str:
    return csrf_of(client.get(path).text)


# ---- login, sessions, CSRF --------------------------------------------------------------------------------


def test_every_page_needs_a_login(client: TestClient, processed: dict[str, NoticeResult]) -> None:
    notice = doc_id(processed, "notice_0006.pdf")
    assert client.get("/").headers["location"] == "/login"
    for path in (f"/notices/{notice}", f"/notices/{notice}/pages/1.png", "/profiles", "/profiles/client-6"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"] == f"/login?next={path}", path
    posted = client.post(f"/notices/{notice}/accept", data={"csrf_token": "x"})
    assert posted.status_code == 303 and posted.headers["location"].startswith("/login")


def test_a_wrong_key_is_refused_and_no_session_is_given(client: TestClient) -> None:
    response = log_in(client, key="not-a-key-0123456789abcdef")
    assert response.status_code == 403 and "That API key is not valid." in response.text
    assert client.get("/").status_code == 303


def test_login_gives_an_httponly_strict_cookie_and_secure_on_https(app: FastAPI) -> None:
    with TestClient(app, follow_redirects=False) as plain:
        cookie = log_in(plain).headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as tls:
        cookie = log_in(tls).headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
    assert (
        ACME_KEY not in cookie
        and "acme" not in base64.urlsafe_b64decode(cookie.split("=", 1)[1].split(".")[0] + "==").decode()
    )


def test_login_needs_its_csrf_token_and_goes_only_to_local_paths(client: TestClient) -> None:
    client.get("/login")
    refused = client.post("/login", data={"csrf_token": "forged", "api_key": ACME_KEY})
    assert refused.status_code == 403 and "CSRF" in refused.text
    token = page_csrf(client, "/login")
    sent = client.post("/login", data={"csrf_token": token, "api_key": ACME_KEY, "next": "//evil.example/x"})
    assert sent.status_code == 303 and sent.headers["location"] == "/"


def test_a_login_without_a_session_cookie_is_refused(client: TestClient) -> None:
    response = client.post("/login", data={"csrf_token": "anything", "api_key": ACME_KEY})
    assert response.status_code == 400 and "session expired" in response.text


def test_tampered_foreign_and_expired_sessions_are_refused(
    acme: TestClient, home: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = acme.cookies[COOKIE]
    payload, signature = good.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged = base64.urlsafe_b64encode(json.dumps({**body, "r": "someone else"}).encode()).decode().rstrip("=")
    for cookie in (f"{forged}.{signature}", "garbage", f"{payload}.{signature[:-2]}AA"):
        acme.cookies.set(COOKIE, cookie)
        assert acme.get("/").status_code == 303, cookie
    acme.cookies.set(COOKIE, good)
    assert acme.get("/").status_code == 200
    past_lifetime = body["i"] + 13 * 3600  # the lifetime is 12 hours
    monkeypatch.setattr("flows.web_session.time.time", lambda: past_lifetime)
    assert acme.get("/").status_code == 303


def test_removing_a_key_ends_its_sessions(acme: TestClient, home: Path, store: Store) -> None:
    cookie = acme.cookies[COOKIE]
    with TestClient(make_app(home, store, keys=f"beta:{BETA_KEY}"), follow_redirects=False) as later:
        later.cookies.set(COOKIE, cookie)
        assert later.get("/").status_code == 303


def test_every_post_form_checks_the_csrf_token(
    acme: TestClient, store: Store, processed: dict[str, NoticeResult]
) -> None:
    notice = doc_id(processed, "notice_0006.pdf")
    audit_before = len(store.audit_log(notice, "acme"))
    forms = {
        f"/notices/{notice}/accept": {},
        f"/notices/{notice}/correct": {"amount_due": "1.00"},
        f"/notices/{notice}/reject": {"reason": "scam"},
        "/profiles": {"id": "new-1", "name": "A B", "ssn_last4": "1234"},
        "/profiles/client-6": {"name": "Changed"},
        "/logout": {},
    }
    for path, data in forms.items():
        for token in (None, "forged-token", page_csrf(acme)[:-1]):
            sent = {**data, **({"csrf_token": token} if token else {})}
            response = acme.post(path, data=sent)
            assert response.status_code == 403 and "CSRF" in response.text, (path, token)
    assert len(store.audit_log(notice, "acme")) == audit_before
    assert store.get_profile("new-1", "acme") is None
    assert store.profile("client-6", "acme").name == "Mark Dunmore"
    assert acme.get("/").status_code == 200  # still signed in: logout was refused too


def test_logout_ends_the_session(acme: TestClient) -> None:
    response = acme.post("/logout", data={"csrf_token": page_csrf(acme)})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert acme.get("/").status_code == 303


def test_a_saved_cookie_no_longer_works_after_logout_even_after_a_restart(
    acme: TestClient, app: FastAPI, home: Path, store: Store
) -> None:
    saved = acme.cookies[COOKIE]
    other_session = TestClient(app, client=("127.0.0.1", 50001), follow_redirects=False)
    assert log_in(other_session).status_code == 303  # the same key, another browser
    assert acme.post("/logout", data={"csrf_token": page_csrf(acme)}).status_code == 303
    acme.cookies.set(COOKIE, saved)  # a copy kept from before the logout
    assert acme.get("/").status_code == 303 and acme.get("/profiles").status_code == 303
    csrf = csrf_of(other_session.get("/").text)  # only the session that signed out ends
    with TestClient(make_app(home, store), follow_redirects=False) as restarted:  # the same secret
        restarted.cookies.set(COOKIE, saved)
        assert restarted.get("/").status_code == 303
        restarted.cookies.set(COOKIE, other_session.cookies[COOKIE])
        assert restarted.get("/").status_code == 200 and csrf_of(restarted.get("/").text) == csrf


def test_without_api_keys_loopback_needs_no_login_and_others_are_refused(home: Path, store: Store) -> None:
    app = make_app(home, store, keys="")
    loopback = "http://127.0.0.1:8080"
    with TestClient(app, base_url=loopback, client=("127.0.0.1", 1), follow_redirects=False) as local:
        assert local.get("/").status_code == 200
        assert local.get("/login").status_code == 303
    with TestClient(app, base_url=loopback, client=("203.0.113.9", 1), follow_redirects=False) as remote:
        response = remote.get("/")
        assert response.status_code == 403 and "loopback" in response.text


# ---- the queue --------------------------------------------------------------------------------------------


def test_the_queue_lists_the_tenants_notices_most_urgent_first_with_counts(acme: TestClient) -> None:
    response = acme.get("/")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    codes = re.findall(r'class="notice-link"[^>]*>([^<]+)<', html)
    assert codes == ["CP3219A", "CP90", "CP503"]  # critical by deadline, then high
    counts = text_of(html[html.index('id="counts"') : html.index("</p>", html.index('id="counts"'))])
    assert "2 overdue, 1 due this week, 0 suspected scams of 3 notices" in counts
    assert "overdue by 531 days" in html and "5 days left" in html
    assert "$12,928.09" in html and "client-6 · Mark Dunmore" in html
    assert "CP504" not in html  # beta's notice


def test_queue_filters_narrow_the_list_and_ignore_unknown_values(acme: TestClient) -> None:
    def codes(query: str) -> list[str]:
        return re.findall(r'class="notice-link"[^>]*>([^<]+)<', acme.get(f"/?{query}").text)

    assert codes("priority=high") == ["CP503"]
    assert codes("category=deficiency") == ["CP3219A"]
    assert codes("client=client-6") == ["CP90"]
    assert codes("status=needs_review") == []
    assert codes("status=bogus&priority=") == ["CP3219A", "CP90", "CP503"]
    assert 'option value="high" selected' in acme.get("/?priority=high").text


# ---- the notice page --------------------------------------------------------------------------------------


def test_the_notice_page_shows_the_scan_with_boxes_fields_checks_and_history(
    acme: TestClient, processed: dict[str, NoticeResult]
) -> None:
    notice = doc_id(processed, "notice_0022.pdf")
    html = acme.get(f"/notices/{notice}").text
    assert f'src="/notices/{notice}/pages/1.png" width="2550" height="3300"' in html
    assert f'src="/notices/{notice}/pages/2.png"' in html
    assert 'viewBox="0 0 2550 3300"' in html
    amount = processed["notice_0022.pdf"].fields["amount_due"]
    assert amount.bbox is not None
    x, y, w, h = amount.bbox
    assert f'data-field="amount_due" x="{x - 6}" y="{y - 6}" width="{w + 12}" height="{h + 12}"' in html
    assert 'id="f-amount_due" name="amount_due"' in html and 'value="6036.69"' in html
    assert "Validation" in html and "Triage" in html and "Scam check" in html
    assert re.search(r"<td>test</td>\s*<td>ingested</td>", html)


def test_page_images_are_pngs_of_the_kept_file_cached_under_home(
    acme: TestClient, home: Path, processed: dict[str, NoticeResult]
) -> None:
    notice = doc_id(processed, "notice_0022.pdf")
    response = acme.get(f"/notices/{notice}/pages/2.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG") and int.from_bytes(response.content[16:20]) == 1100
    assert "private" in response.headers["cache-control"]
    assert list((home / "cache" / "pages" / notice).glob("page-2-*.png"))
    for missing in ("0", "3"):
        assert acme.get(f"/notices/{notice}/pages/{missing}.png").status_code == 404


def test_a_notice_whose_file_was_not_kept_shows_a_note_instead_of_the_scan(
    acme: TestClient, home: Path, processed: dict[str, NoticeResult]
) -> None:
    notice = doc_id(processed, "notice_0011.pdf")
    archived = archived_path(notice, home)
    assert archived is not None
    archived.chmod(0o644)
    archived.unlink()
    assert "The original file was not kept" in acme.get(f"/notices/{notice}").text
    assert acme.get(f"/notices/{notice}/pages/1.png").status_code == 404


def test_correcting_a_field_reruns_triage_and_is_audited_under_the_reviewer(
    acme: TestClient, store: Store, processed: dict[str, NoticeResult]
) -> None:
    notice = doc_id(processed, "notice_0006.pdf")
    before = store.get_result(notice, "acme")
    assert before is not None and before.triage.priority.value == "critical"  # 5 days left
    html = acme.get(f"/notices/{notice}").text
    form = {
        name: value
        for name, value in re.findall(
            r'name="([a-z_0-9]+)" type="text" maxlength="200"\s+value="([^"]*)"', html
        )
    }
    assert form["deadline"] == "2026-05-17"
    response = acme.post(
        f"/notices/{notice}/correct", data={**form, "deadline": "2026-07-01", "csrf_token": csrf_of(html)}
    )
    assert response.status_code == 303 and response.headers["location"] == f"/notices/{notice}?done=corrected"
    after = store.get_result(notice, "acme")
    assert after is not None and after.field_value("deadline") == "2026-07-01"
    assert after.triage.priority.value == "high" and after.triage.days_left == 50
    changes = [e for e in store.audit_log(notice, "acme") if e.action == "review_correct"]
    assert [(e.field, e.old_value, e.new_value, e.actor) for e in changes] == [
        ("deadline", "2026-05-17", "2026-07-01", "Dana")
    ]
    page = acme.get(response.headers["location"]).text
    assert "Corrections saved" in page and "50 days left" in page


def test_a_bad_correction_keeps_what_was_typed_and_says_why(
    acme: TestClient, store: Store, processed: dict[str, NoticeResult]
) -> None:
    notice = doc_id(processed, "notice_0006.pdf")
    token = page_csrf(acme, f"/notices/{notice}")
    response = acme.post(f"/notices/{notice}/correct", data={"amount_due": "lots", "csrf_token": token})
    assert response.status_code == 422
    assert "is not a valid amount due" in response.text and 'value="lots"' in response.text
    unchanged = acme.post(f"/notices/{notice}/correct", data={"amount_due": "12928.09", "csrf_token": token})
    assert unchanged.headers["location"].endswith("done=unchanged")
    assert not [e for e in store.audit_log(notice, "acme") if e.action == "review_correct"]


def test_accept_and_reject_call_the_review_functions(
    acme: TestClient, store: Store, processed: dict[str, NoticeResult]
) -> None:
    notice = doc_id(processed, "notice_0011.pdf")
    token = page_csrf(acme)
    no_reason = acme.post(f"/notices/{notice}/reject", data={"reason": "  ", "csrf_token": token})
    assert no_reason.status_code == 422 and "Give a reason" in no_reason.text
    rejected = acme.post(f"/notices/{notice}/reject", data={"reason": "a scam copy", "csrf_token": token})
    assert rejected.headers["location"].endswith("done=rejected")
    result = store.get_result(notice, "acme")
    assert result is not None and result.status is Status.NEEDS_REVIEW
    assert result.review_reasons == ("rejected by Dana: a scam copy",)
    accepted = acme.post(f"/notices/{notice}/accept", data={"csrf_token": token})
    assert accepted.headers["location"].endswith("done=accepted")
    result = store.get_result(notice, "acme")
    assert result is not None and result.status is Status.PROCESSED
    assert [e.new_value for e in store.audit_log(notice, "acme") if e.action == "reviewed"] == [
        "reject",
        "accept",
    ]


def test_a_failed_result_shows_its_error_and_cannot_be_reviewed(acme: TestClient, store: Store) -> None:
    context = PipelineContext.default(AS_OF, Settings())
    failed = process_document(ROOT / "fixtures" / "faults" / "truncated.pdf", context, source="truncated.pdf")
    assert failed.status is Status.FAILED and failed.document_id
    store.save_result(failed, "acme")
    html = acme.get(f"/notices/{failed.document_id}").text
    assert "Processing failed" in html and "Save corrections" not in html and "Accept" not in html
    token = csrf_of(html)
    for action, data in (("accept", {}), ("correct", {"amount_due": "1.00"}), ("reject", {"reason": "x"})):
        response = acme.post(f"/notices/{failed.document_id}/{action}", data={**data, "csrf_token": token})
        assert response.status_code == 409, action
    assert store.get_result(failed.document_id, "acme").status is Status.FAILED  # type: ignore[union-attr]


def test_the_letter_downloads_as_text_and_a_disagreement_needs_a_reason(
    acme: TestClient, processed: dict[str, NoticeResult]
) -> None:
    notice = doc_id(processed, "notice_0006.pdf")
    agree = acme.get(f"/notices/{notice}/letter", params={"stance": "agree"})
    assert agree.status_code == 200 and agree.headers["content-type"].startswith("text/plain")
    assert (
        agree.headers["content-disposition"] == f'attachment; filename="letter-CP90-{notice[:8]}-agree.txt"'
    )
    assert "Notice CP90" in agree.text and "Mark Dunmore" in agree.text
    disagree = acme.get(
        f"/notices/{notice}/letter", params={"stance": "disagree", "reason": "I paid in April."}
    )
    assert disagree.status_code == 200 and "I paid in April." in disagree.text
    assert acme.get(f"/notices/{notice}/letter", params={"stance": "disagree"}).status_code == 422
    form = {
        "csrf_token": page_csrf(acme),
        "stance": "disagree",
        "reason": "SSN 123-45-6789: I paid in April.",
    }
    posted = acme.post(
        f"/notices/{notice}/letter", data=form
    )  # the page's form: the reason stays out of the URL
    assert posted.status_code == 200 and "My reason: SSN XXX-XX-6789: I paid in April." in posted.text
    assert posted.headers["content-disposition"].endswith('-disagree.txt"')
    assert acme.post(f"/notices/{notice}/letter", data={**form, "csrf_token": "forged"}).status_code == 403
    assert acme.get(f"/notices/{notice}/letter", params={"stance": "maybe"}).status_code == 422


# ---- tenants ----------------------------------------------------------------------------------------------


def test_another_tenants_notices_pages_images_and_profiles_are_not_found(
    client: TestClient, store: Store, processed: dict[str, NoticeResult]
) -> None:
    assert log_in(client, key=BETA_KEY, reviewer="").status_code == 303
    acme_notice = doc_id(processed, "notice_0006.pdf")
    html = client.get("/").text
    assert re.findall(r'class="notice-link"[^>]*>([^<]+)<', html) == ["CP504"]
    token = csrf_of(html)
    for path in (
        f"/notices/{acme_notice}", f"/notices/{acme_notice}/pages/1.png",
        f"/notices/{acme_notice}/letter?stance=agree", "/profiles/client-6", "/notices/not-an-id",
    ):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404 and "text/html" in response.headers["content-type"], path
        assert "Mark Dunmore" not in response.text
    for path, data in (
        (f"/notices/{acme_notice}/accept", {}),
        (f"/notices/{acme_notice}/correct", {"amount_due": "1.00"}),
        (f"/notices/{acme_notice}/reject", {"reason": "x"}),
        ("/profiles/client-6", {"name": "X", "ssn_last4": "1111"}),
    ):
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 404, path
    assert [e.action for e in store.audit_log(acme_notice, "acme")] == ["ingested"]
    assert [p.id for p in store.list_profiles("beta")] == ["client-17"]
    assert "client-6" not in client.get("/profiles").text


def test_the_api_still_answers_beside_the_pages(
    client: TestClient, processed: dict[str, NoticeResult]
) -> None:
    notice = doc_id(processed, "notice_0006.pdf")
    assert client.get("/healthz").json() == {"status": "ok"}
    assert (
        client.get(f"/v1/notices/{notice}", headers={"X-API-Key": ACME_KEY}).json()["document_id"] == notice
    )
    assert client.get(f"/v1/notices/{notice}").status_code == 401  # a page session is not an API key
    assert set(client.get("/openapi.json").json()["paths"]) <= {"/healthz", "/readyz"} | {
        path for path in client.get("/openapi.json").json()["paths"] if path.startswith("/v1/")
    }  # the pages stay out of the API's schema


# ---- profiles ---------------------------------------------------------------------------------------------


def profile_form(**changes: str) -> dict[str, str]:
    form = {
        "name": "Jennifer Sullivan", "spouse_name": "Mark Sullivan", "ssn_last4": "3051",
        "street": "1201 Prairie Ln", "city": "Lincoln", "state": "ne", "zip": "68510",
        "returns": '[{"tax_year": 2023, "tax_reported": "5120.00"}]',
    }  # fmt: skip
    return {**form, **changes}


def test_a_profile_is_added_validated_and_edited(acme: TestClient, store: Store) -> None:
    token = page_csrf(acme, "/profiles")
    bad = acme.post(
        "/profiles", data={**profile_form(ssn_last4="30x1"), "id": "client-new", "csrf_token": token}
    )
    assert bad.status_code == 422 and "ssn_last4" in bad.text and 'value="Jennifer Sullivan"' in bad.text
    too_long = acme.post(
        "/profiles", data={**profile_form(ssn_last4="30512"), "id": "client-new", "csrf_token": token}
    )
    assert too_long.status_code == 422  # refused, not cut to "3051"
    assert store.get_profile("client-new", "acme") is None
    added = acme.post("/profiles", data={**profile_form(), "id": "client-new", "csrf_token": token})
    assert added.status_code == 303, added.text[added.text.find('class="error') :][:300]
    assert added.headers["location"] == "/profiles/client-new?done=saved"
    stored = store.profile("client-new", "acme")
    assert stored.address.state == "NE" and stored.returns[0].tax_year == 2023
    again = acme.post("/profiles", data={**profile_form(), "id": "client-new", "csrf_token": token})
    assert again.status_code == 422 and "already exists" in again.text
    bad_json = acme.post("/profiles/client-new", data={**profile_form(returns="[{"), "csrf_token": token})
    assert bad_json.status_code == 422 and "not valid JSON" in bad_json.text
    edited = acme.post("/profiles/client-new", data={**profile_form(city="Omaha"), "csrf_token": token})
    assert edited.status_code == 303
    assert store.profile("client-new", "acme").address.city == "Omaha"
    assert "Profile saved." in acme.get("/profiles/client-new?done=saved").text


# ---- accessibility basics ---------------------------------------------------------------------------------


class PageOutline(HTMLParser):
    """The parts of a page the checks below need: form controls, labels, focusables in order, ids."""

    FOCUSABLE = {"a", "button", "input", "select", "textarea"}

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str]] = []
        self.label_for: set[str] = set()
        self.ids: list[str] = []
        self.focusables: list[dict[str, str]] = []
        self.images: list[dict[str, str]] = []
        self.html_lang = ""
        self.buttons_without_text = 0
        self._open_button: dict[str, str] | None = None
        self._button_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "html":
            self.html_lang = attributes.get("lang", "")
        if tag == "label" and "for" in attributes:
            self.label_for.add(attributes["for"])
        if tag == "img":
            self.images.append(attributes)
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls.append({"tag": tag, **attributes})
        if (
            tag in self.FOCUSABLE
            and attributes.get("type") != "hidden"
            and (tag != "a" or "href" in attributes)
        ):
            self.focusables.append({"tag": tag, **attributes})
        if tag == "button":
            self._open_button, self._button_text = attributes, ""

    def handle_data(self, data: str) -> None:
        if self._open_button is not None:
            self._button_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._open_button is not None:
            self.buttons_without_text += not self._button_text.strip()
            self._open_button = None


def outline_of(html: str) -> PageOutline:
    outline = PageOutline()
    outline.feed(html)
    return outline


def test_pages_have_labelled_controls_a_skip_link_first_and_no_tab_traps(
    client: TestClient, processed: dict[str, NoticeResult]
) -> None:
    pages = {"/login": client.get("/login").text}
    assert log_in(client).status_code == 303
    notice = doc_id(processed, "notice_0022.pdf")
    for path in ("/", f"/notices/{notice}", "/profiles", "/profiles/client-22"):
        pages[path] = client.get(path).text
    for path, html in pages.items():
        outline = outline_of(html)
        assert outline.html_lang == "en", path
        unlabelled = [
            c for c in outline.controls if c.get("id") not in outline.label_for and "aria-label" not in c
        ]
        assert unlabelled == [], path
        assert len(outline.ids) == len(set(outline.ids)), f"{path}: duplicate ids"
        first = outline.focusables[0]
        assert first["tag"] == "a" and first["href"] == "#main" and "main" in outline.ids, path
        assert not [
            f
            for f in outline.focusables
            if f.get("tabindex", "0").lstrip("-").isdigit() and int(f.get("tabindex", "0")) > 0
        ]
        assert outline.buttons_without_text == 0, path
        assert all(image.get("alt") for image in outline.images), path
    notice_outline = outline_of(pages[f"/notices/{notice}"])
    order = [f.get("id") or f.get("href", "") for f in notice_outline.focusables]
    # the correction inputs come in the fields' order, before the accept button and the letter link
    assert order.index("f-notice_number") < order.index("f-amount_due") < order.index("letter-agree")


# ---- the archive ------------------------------------------------------------------------------------------


def test_archive_keeps_one_read_only_copy_by_content(tmp_path: Path) -> None:
    source = SAMPLES / "notice_0006.pdf"
    document_id = hash_file(source)
    kept = archive_document(source, document_id, tmp_path)
    assert kept == tmp_path / "documents" / document_id and kept.read_bytes() == source.read_bytes()
    assert archive_document(source, document_id, tmp_path) == kept
    assert archived_path(document_id, tmp_path) == kept
    assert [p.name for p in (tmp_path / "documents").iterdir()] == [document_id]  # no temp file left
    assert archived_path("../../etc/passwd", tmp_path) is None
    assert archived_path("0" * 64, tmp_path) is None


def test_archive_refuses_a_file_that_is_not_its_id(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not hash"):
        archive_document(SAMPLES / "notice_0011.pdf", hash_file(SAMPLES / "notice_0006.pdf"), tmp_path)
    with pytest.raises(ValueError, match="not a document id"):
        archive_document(SAMPLES / "notice_0011.pdf", "../x", tmp_path)
    assert list((tmp_path / "documents").iterdir()) == []


def test_keep_original_archives_what_was_processed_and_never_raises(
    tmp_path: Path, processed: dict[str, NoticeResult], caplog: pytest.LogCaptureFixture
) -> None:
    result = processed["notice_0006.pdf"]
    failed = result.model_copy(update={"status": Status.FAILED})
    assert keep_original(SAMPLES / "notice_0006.pdf", failed, tmp_path) is None
    assert keep_original(SAMPLES / "notice_0011.pdf", result, tmp_path) is None  # not the processed bytes
    assert "was not kept" in caplog.text
    assert keep_original(SAMPLES / "notice_0006.pdf", result, tmp_path) == archived_path(
        result.document_id, tmp_path
    )


def test_archiving_the_same_file_from_many_threads_at_once_gives_one_copy(tmp_path: Path) -> None:
    source = SAMPLES / "notice_0022.pdf"
    document_id = hash_file(source)
    errors: list[BaseException] = []

    def archive() -> None:
        try:
            archive_document(source, document_id, tmp_path)
        except BaseException as error:  # noqa: BLE001 - collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=archive) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and [p.name for p in (tmp_path / "documents").iterdir()] == [document_id]


def test_previews_give_each_page_in_box_coordinates_and_are_cached(tmp_path: Path) -> None:
    source = SAMPLES / "notice_0022.pdf"
    document_id = hash_file(source)
    assert preview_pages(document_id, tmp_path, PreviewConfig()) is None  # not archived
    archive_document(source, document_id, tmp_path)
    pages = preview_pages(document_id, tmp_path, PreviewConfig(width=600))
    assert pages is not None and [(p.number, p.width, p.height) for p in pages] == [
        (1, 2550, 3300),
        (2, 2550, 3300),
    ]
    assert all(page.png.read_bytes()[:4] == b"\x89PNG" for page in pages)
    stamp = pages[1].png.stat().st_mtime_ns
    again = preview_page(document_id, 2, tmp_path, PreviewConfig(width=600))
    assert again == pages[1] and again.png.stat().st_mtime_ns == stamp
    assert preview_page(document_id, 3, tmp_path, PreviewConfig(width=600)) is None


def page_with_lines(boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """A white 600 x 800 page with a dark text-like bar in each box, off-centre so no turn looks alike."""
    page = np.full((800, 600), 255, np.uint8)
    for x, y, w, h in boxes:
        page[y + 3 : y + h - 3, x : x + w] = 20
    return page


@pytest.mark.parametrize(
    "turn",
    [
        pytest.param(None, id="upright"),
        pytest.param(cv2.ROTATE_180, id="upside-down"),
        pytest.param(cv2.ROTATE_90_COUNTERCLOCKWISE, id="on-its-side"),
    ],
)
def test_a_preview_is_turned_the_way_its_boxes_were_read(turn: int | None) -> None:
    boxes = [(40, 40, 300, 20), (40, 90, 180, 20), (400, 40, 150, 20), (40, 600, 400, 20)]
    upright = page_with_lines(boxes)
    given = upright if turn is None else cv2.rotate(upright, turn)
    assert np.array_equal(orient_to_boxes(given, boxes), upright)
    assert np.array_equal(orient_to_boxes(given, boxes[:2]), given)  # too few boxes to tell: left as is


# ---- wiring into the API ---------------------------------------------------------------------------------


def test_the_api_app_serves_the_pages_and_keeps_uploaded_files(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'home' / 'noticeflow.db'}")
    settings = ApiSettings(home=tmp_path / "home", api_keys=SecretStr(f"acme:{ACME_KEY}"), workers=1)
    app = create_app(settings, store)
    with TestClient(app, follow_redirects=False) as client:
        sample = SAMPLES / "notice_0006.pdf"
        files = {"file": ("notice.pdf", sample.read_bytes(), "application/pdf")}
        uploaded = client.post("/v1/notices", files=files, headers={"X-API-Key": ACME_KEY})
        assert uploaded.status_code == 201, uploaded.text
        assert archived_path(uploaded.json()["document_id"], tmp_path / "home") is not None
        assert log_in(client).status_code == 303
        image = client.get(f"/notices/{uploaded.json()['document_id']}/pages/1.png")
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    store.close()


def test_an_address_that_keeps_guessing_keys_must_wait(client: TestClient) -> None:
    for _ in range(5):
        assert log_in(client, key="not-a-key-0123456789abcdef").status_code == 403
    refused = log_in(client)  # even the right key, until the window has passed
    assert refused.status_code == 429 and "Too many failed sign-ins" in refused.text
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    assert client.get("/").status_code == 303  # no session was given
    with TestClient(client.app, client=("127.0.0.2", 50000), follow_redirects=False) as other:
        assert log_in(other).status_code == 303  # another address is not affected


def test_signing_in_with_a_valid_key_in_between_does_not_clear_the_failures(client: TestClient) -> None:
    for _ in range(4):
        assert log_in(client, key="not-a-key-0123456789abcdef").status_code == 403
    assert log_in(client).status_code == 303
    client.cookies.clear()  # signed out: guess again
    assert log_in(client, key="not-a-key-0123456789abcdef").status_code == 403
    assert log_in(client).status_code == 429


def test_invalid_keys_on_the_api_and_the_sign_in_page_count_together(client: TestClient) -> None:
    wrong = "not-a-key-0123456789abcdef"
    for _ in range(4):
        assert client.get("/v1/notices", headers={"X-API-Key": wrong}).status_code == 403
    assert log_in(client, key=wrong).status_code == 403
    assert log_in(client).status_code == 429
    assert client.get("/v1/notices", headers={"X-API-Key": ACME_KEY}).status_code == 429
