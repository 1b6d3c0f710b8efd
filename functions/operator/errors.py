"""What can go wrong for an operator, each with the exit code docs/operating.md documents."""

from __future__ import annotations

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_AWS_FAILURE = 4


class OperatorError(Exception):
    """A failure the command line reports in one line, without a traceback."""

    exit_code = EXIT_AWS_FAILURE


class NotFoundError(OperatorError):
    """No submission has that id, or no submission belongs to that email."""

    exit_code = EXIT_NOT_FOUND


class UsageError(OperatorError):
    """The command was given something it cannot use (a malformed id, a missing setting)."""

    exit_code = EXIT_USAGE


class RefusedError(OperatorError):
    """Not done: the operator declined, or the submission's state does not allow it."""

    exit_code = EXIT_REFUSED


class AwsFailureError(OperatorError):
    """AWS refused or could not be reached; nothing was changed by the failed request."""

    exit_code = EXIT_AWS_FAILURE
