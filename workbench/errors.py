"""Every user-facing failure is a WorkbenchError carrying one clear sentence."""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base class: the message is shown to the user as it is."""


class NotAProjectError(WorkbenchError):
    """The file is not a workbench project."""


class SchemaTooNewError(WorkbenchError):
    """The project was written by a newer workbench."""


class ImportFailed(WorkbenchError):
    """A source file could not be imported."""


class NotFoundError(WorkbenchError):
    """A named entity (document, code, participant, ...) does not exist."""


class InvalidInput(WorkbenchError):
    """Arguments or file contents the user must correct."""


class DuplicateError(WorkbenchError):
    """The thing already exists (same file, same coding, same name)."""


class NothingToUndo(WorkbenchError):
    """Undo or redo was asked for but the history has nothing to step over."""
