"""The editors' content as data: the one model the site build and the form function both read.

`content/site.toml` (`site`), each language's UI strings (`strings`) and its published policy
versions (`policy`), read from the files editors write (`files`), and the contact form's
vocabulary of limits and error codes that the strings must give words to (`contact_form`); a
problem is a `ContentError` naming the file and line. Standard library only, because the
Lambda package ships this package without the site generator.
"""

from __future__ import annotations

from pathlib import Path

from sitecontent.policy import policy_files
from sitecontent.site import SITE_FILE, load_site
from sitecontent.strings import strings_path


def model_files(content_dir: Path) -> list[Path]:
    """Every file this package reads from `content_dir`: what a reader elsewhere must be given.

    The pages' bodies are the site generator's alone; a policy version is read whole for its
    front matter.
    """
    site = load_site(content_dir)
    files = [content_dir / SITE_FILE]
    for language in site.languages:
        files.append(strings_path(content_dir, language))
        files.extend(policy_files(content_dir, language))
    return files
