"""Write the OpenAPI document of the form API: `python -m functions.contact.openapi [PATH]`."""

from __future__ import annotations

import sys
from pathlib import Path

from functions.contact.api import app
from functions.contact.content import load_form_content
from functions.contact.openapi_spec import document
from functions.contact.settings import ContentLocation


def main(argv: list[str]) -> int:
    """Print the document, or write it to the path given (content from `CONTENT_DIR`)."""
    text = document(app, load_form_content(ContentLocation().content_dir)) + "\n"
    if argv:
        Path(argv[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
