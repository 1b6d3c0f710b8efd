"""The one exception the deploy reports to people."""


class DeployError(Exception):
    """A deploy step failed; the message says which and why, without a traceback."""
