"""The one exception tree of noticeflow; each error carries a stable ``code`` and an exit code.

    NoticeflowError
    ├── DocumentError          the input document cannot be processed (exit 1, HTTP 4xx)
    │   ├── MissingFile              code "file_not_found" (no file at the path given)
    │   ├── EmptyDocument            code "empty_file"
    │   ├── UnsupportedType          code "unsupported_type"
    │   ├── CorruptDocument          code "corrupt_file"   (truncated or unreadable)
    │   ├── EncryptedPdf             code "encrypted_pdf"
    │   ├── TooManyPages             code "too_many_pages"
    │   ├── ImageTooLarge            code "image_too_large"
    │   ├── ImageTooSmall            code "image_too_small"  (an icon, not a page)
    │   ├── NotAFile                 code "not_a_file"  (a link, FIFO, device or folder; never opened)
    │   └── CannotMove               code "cannot_move" (the watcher cannot take it out of its inbox)
    ├── DocumentNotFound       code "document_not_found" (HTTP 404)
    ├── ProfileNotFound        code "profile_not_found" (HTTP 404)
    ├── CaseNotFound           code "case_not_found" (HTTP 404)
    ├── BadCorrection          code "bad_correction": a reviewer's value that does not parse (exit 2, 422)
    ├── InfrastructureError    a tool or service failed; retrying may help (exit 1, HTTP 503)
    │   ├── OcrEngineError           code "ocr_failed"
    │   ├── StoreUnavailable         code "store_unavailable"
    │   └── WorkerStopped            code "worker_stopped"  (a batch worker process was killed or crashed)
    ├── InternalError          code "internal_error": a bug met on one document (logged; not retried)
    └── ConfigurationError     settings or input files given by the operator are wrong (exit 2)
        ├── BadProfiles              code "bad_profiles"
        ├── BadCatalog               code "bad_catalog"
        └── HomeUnusable             code "home_unusable" (NOTICEFLOW_HOME cannot be created or written)

Each class says whether the same document may succeed when tried again (``retryable``, the one failure
policy: pipeline.ingest tries a retryable failure at most ``MAX_ATTEMPTS`` times, anything else once).
Only infrastructure failures are retryable; a bad document fails the same way every time, and a bug too.

Findings about a notice (a missing field, a profile mismatch, a scam signal) are data in the result,
never exceptions. Callers branch on the class or ``code``, never on the message.
"""

from __future__ import annotations


class NoticeflowError(Exception):
    code = "error"
    exit_code = 1
    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DocumentError(NoticeflowError):
    code = "bad_document"


class MissingFile(DocumentError):
    code = "file_not_found"


class EmptyDocument(DocumentError):
    code = "empty_file"


class UnsupportedType(DocumentError):
    code = "unsupported_type"


class CorruptDocument(DocumentError):
    code = "corrupt_file"


class EncryptedPdf(DocumentError):
    code = "encrypted_pdf"


class TooManyPages(DocumentError):
    code = "too_many_pages"


class ImageTooLarge(DocumentError):
    code = "image_too_large"


class ImageTooSmall(DocumentError):
    code = "image_too_small"


class NotAFile(DocumentError):
    code = "not_a_file"


class CannotMove(DocumentError):
    code = "cannot_move"


class InfrastructureError(NoticeflowError):
    code = "infrastructure"
    retryable = True


class OcrEngineError(InfrastructureError):
    code = "ocr_failed"


class WorkerStopped(InfrastructureError):
    code = "worker_stopped"


class InternalError(NoticeflowError):
    code = "internal_error"  # a bug met while reading one document (logged with its traceback)


class StoreUnavailable(InfrastructureError):
    code = "store_unavailable"


class DocumentNotFound(NoticeflowError):
    code = "document_not_found"


class ProfileNotFound(NoticeflowError):
    code = "profile_not_found"


class CaseNotFound(NoticeflowError):
    code = "case_not_found"


class BadCorrection(NoticeflowError):
    code = "bad_correction"
    exit_code = 2


class ConfigurationError(NoticeflowError):
    code = "bad_configuration"
    exit_code = 2


class BadProfiles(ConfigurationError):
    code = "bad_profiles"


class BadCatalog(ConfigurationError):
    code = "bad_catalog"


class HomeUnusable(ConfigurationError):
    code = "home_unusable"
