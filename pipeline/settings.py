"""Settings read once at an entry point from ``NOTICEFLOW_*`` environment variables, passed down as small
frozen configs (stages never read the environment or the clock themselves)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline.load import LoadLimits
from pipeline.ocr import OCR_DPI
from pipeline.preprocess import CleanConfig


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NOTICEFLOW_", frozen=True)

    home: Path = Path("~/.noticeflow").expanduser()
    max_pages: int = Field(50, ge=1)
    max_pixels: int = Field(80_000_000, ge=1_000_000)
    render_dpi: int = Field(300, ge=100, le=600)
    ocr_dpi: int = Field(OCR_DPI, ge=150, le=600)  # pages above it are OCR'd from a copy scaled down to it
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    min_confidence: float = Field(0.7, ge=0, le=1)
    db_url: str | None = None  # NOTICEFLOW_DB_URL, e.g. postgresql+psycopg://user:pw@host/db
    # NOTICEFLOW_DEPLOYMENT (what `noticeflow pool register` prints): the watcher submits each document to
    # that deployment's work pool (flows.pool) instead of processing it in-process.
    deployment: str | None = None
    submit_timeout_s: float = Field(600.0, gt=0)  # NOTICEFLOW_SUBMIT_TIMEOUT_S
    watch_tenant: str = "default"  # NOTICEFLOW_WATCH_TENANT: whose notices the watcher and the sweep take in
    # Mail intake (flows.mail): comma-separated mailbox URLs, each imaps://USER:APP_PASSWORD@HOST/FOLDER
    # with ?tenant= (flows.mailbox has the form); polled every mail_poll_s; larger attachments are refused.
    imap_url: str | None = None
    mail_poll_s: float = Field(60.0, ge=1)
    mail_max_attachment_bytes: int = Field(25 * 1024 * 1024, ge=1024)
    # The morning digest (flows.digest): smtps://USER:PASSWORD@HOST:465 or smtp://...:587 (STARTTLS);
    # digest_to: comma-separated ADDRESS (tenant "default") or TENANT:ADDRESS entries.
    smtp_url: str | None = None
    digest_from: str = "noticeflow@localhost"
    digest_to: str = ""
    public_url: str | None = None  # where people open the review pages: links in the digest and calendar

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.home / 'noticeflow.db'}"

    @property
    def load_limits(self) -> LoadLimits:
        return LoadLimits(max_pages=self.max_pages, max_pixels=self.max_pixels, render_dpi=self.render_dpi)

    @property
    def clean_config(self) -> CleanConfig:
        return CleanConfig(target_dpi=self.render_dpi)
