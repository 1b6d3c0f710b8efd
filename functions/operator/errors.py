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


class ExpiredError(NotFoundError):
    """The submission's retention period is over: it is gone, though DynamoDB may still hold it."""

    def __init__(self, submission_id: str, expired_at: str) -> None:
        super().__init__(
            f"submission {submission_id} expired on {expired_at}: its retention period is "
            "over, so it is treated as deleted (DynamoDB's time to live removes it within days)"
        )
        self.submission_id = submission_id


class UsageError(OperatorError):
    """The command was given something it cannot use (a malformed id, a missing setting)."""

    exit_code = EXIT_USAGE


class RefusedError(OperatorError):
    """Not done: the operator declined, or the submission's state does not allow it."""

    exit_code = EXIT_REFUSED


class AwsFailureError(OperatorError):
    """AWS refused or could not be reached; nothing was changed by the failed request."""

    exit_code = EXIT_AWS_FAILURE
