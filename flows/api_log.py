"""The server's access log without full SSNs: a request line's query may hold one (a letter's ``reason``
typed by a person, a file name), and the access log is kept longer than any request.

``mask_access_log()`` adds ``MaskFullSsns`` to uvicorn's access logger once (``flows.api.create_app`` calls
it); the filter cuts every full SSN in the record's message and arguments to its last four with
``extractors.ssn.mask_full_ssns``, also one written in a URL's encoding (``123+45+6789``,
``123%2D45%2D6789``), which is then logged decoded, masked and encoded again.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, unquote_plus

from extractors.ssn import mask_full_ssns

ACCESS_LOGGER = "uvicorn.access"
_URL_SAFE = "/?=&:;,@+%-._~"


def mask_logged(text: str) -> str:
    """``text`` with every full SSN cut to its last four, in plain text or in a URL's encoding."""
    masked = mask_full_ssns(text)
    decoded = unquote_plus(masked)
    if decoded == masked or mask_full_ssns(decoded) == decoded:
        return masked
    return quote(mask_full_ssns(decoded), safe=_URL_SAFE)


class MaskFullSsns(logging.Filter):
    """Masks full SSNs in a record's message and string arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_logged(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_logged(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def mask_access_log() -> None:
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(existing, MaskFullSsns) for existing in logger.filters):
        logger.addFilter(MaskFullSsns())
