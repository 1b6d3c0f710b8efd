"""The one exception the build reports to people.

A build error is a content error: the build stops on the first problem in the content or the
templates and names the file (and line) that has it, whether the content model
(`sitecontent`) or the generator found it. One class, so one `except` catches both.
"""

from sitecontent.errors import ContentError as BuildError

__all__ = ["BuildError"]
