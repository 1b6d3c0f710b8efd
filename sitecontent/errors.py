"""The one exception the content model raises."""


class ContentError(Exception):
    """A problem in the editors' content, named by the file (and line) that has it."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message
