"""The Lambda functions (`contact`, `notify`), the stored item they share, and the operator CLI."""

from pathlib import Path

# The Lambda package ships `content/` beside `functions/`, exactly as the repository lays it out.
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"
