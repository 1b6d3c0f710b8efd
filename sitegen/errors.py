"""The one exception the build reports to people."""


class BuildError(Exception):
    """A problem in the content or templates, named by the file (and line) that has it."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message
