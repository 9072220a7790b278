"""Typed failures with one-line messages that name the file and the problem."""

from __future__ import annotations


class LegalOrchError(Exception):
    """Base of every error a user can be shown as one line."""


class InputError(LegalOrchError):
    """A file that cannot be reviewed."""

    kind = "input"

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class NotAPdfError(InputError):
    kind = "not_pdf"


class CorruptPdfError(InputError):
    kind = "corrupt"


class EncryptedPdfError(InputError):
    kind = "encrypted"


class NoTextLayerError(InputError):
    kind = "no_text"


class EmptyPdfError(InputError):
    kind = "empty"


class TooLargeError(InputError):
    kind = "too_large"


class ContractChangedError(InputError):
    """The file under review no longer has the content the review started on."""

    kind = "changed"


class TransientError(LegalOrchError):
    """A failure that may pass on its own (a store locked by another process): worth retrying."""


class NotReviewedError(InputError):
    """A file in a batch that is not reviewed (unsupported type, a link out, a nested zip)."""

    def __init__(self, path: str, problem: str, kind: str):
        super().__init__(path, problem)
        self.kind = kind


class PlaybookError(LegalOrchError):
    """A playbook that cannot be loaded; the message names the file and line."""


class SettingsError(LegalOrchError):
    """A setting (a LEGAL_ORCH_* variable or an option) with a value that cannot be used."""


class CheckpointError(LegalOrchError):
    """The checkpoint database cannot be read (corrupt, or not a database at all)."""


class DecisionError(LegalOrchError):
    """A lawyer's decision that does not fit the paused review (an unknown rule, say)."""
