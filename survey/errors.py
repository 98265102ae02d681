"""The toolkit's own error types.

Every error a user can cause (a bad file, a bad codebook, a missing column) is a
:class:`SurveyError` whose message is one line naming the file and the fix. The command line
prints that line and exits with code 1; nothing else is shown.
"""

from __future__ import annotations

__all__ = ["CodebookError", "DataError", "SurveyError"]


class SurveyError(Exception):
    """A problem with the user's input that the user can fix."""


class CodebookError(SurveyError):
    """The codebook is unreadable or does not describe a valid questionnaire."""


class DataError(SurveyError):
    """A raw export cannot be accepted (unreadable, empty, missing columns, too few rows)."""
