"""The staff function's configuration: environment variables only, set by `infra/template.yaml`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from functions import DEFAULT_CONTENT_DIR


class Settings(BaseSettings):
    """The tables and keys the operator's actions need, and where the site's words are."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    submissions_table: str = Field(min_length=1)
    audit_table: str = Field(min_length=1)
    data_key_arn: str = Field(min_length=1)
    email_hash_key_arn: str = Field(min_length=1)
    content_dir: Path = DEFAULT_CONTENT_DIR
