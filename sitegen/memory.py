"""What the preview keeps between builds: the site in memory, so a save costs what it changed.

One `BuildMemory` handed from each build to the next (`sitegen.build.build`) holds the pages
and checks of the last build with the stamps of the files they came from (`sitegen.memo`),
the renderings of every page (`sitegen.rendering.RenderCache`) and the bytes of every file it
wrote. A rebuild then reads only the files whose stamps changed, re-runs only the checks whose
inputs changed, renders only the pages whose inputs changed, and compares each output with
what it wrote last time instead of reading the output folder back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.memo import Memo
from sitegen.output import write_site
from sitegen.rendering import RenderCache


@dataclass
class BuildMemory:
    """The last build's pages, checks, renderings and written files, for the next build."""

    memo: Memo = field(default_factory=Memo)
    renders: RenderCache = field(default_factory=RenderCache)
    # What the last build wrote, relative path → bytes; None: look in the folder.
    written: dict[str, bytes] | None = None
    folders: tuple[Path, Path, Path] | None = None
    # Files named as changed since the last build that succeeded: a failed build may have
    # stopped before reading them, and their stamps alone may not show the change.
    unsettled: set[Path] = field(default_factory=set)

    def start(self, content_dir: Path, out_dir: Path, site_dir: Path) -> None:
        """Begin a build; one of other folders than the last build's starts from nothing."""
        folders = (content_dir, out_dir, site_dir)
        if folders != self.folders:
            self.memo, self.renders, self.written = Memo(), RenderCache(), None
            self.folders = folders
            self.unsettled = set()

    def changed(self, named: Iterable[Path]) -> frozenset[Path]:
        """The files to read again whatever their stamps: `named`, and those of failed builds."""
        self.unsettled.update(Path(path) for path in named)
        return frozenset(self.unsettled)

    def write(self, outputs: dict[str, bytes]) -> None:
        """Make the output folder hold exactly `outputs`, and remember it."""
        assert self.folders is not None, "start() comes first"
        written, self.written = self.written, None  # unknown until the writing is done
        write_site(self.folders[1], outputs, written)
        self.written = outputs
        self.unsettled = set()
