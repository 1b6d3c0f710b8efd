"""The function's configuration: environment variables only, set by `infra/template.yaml`."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from functions import DEFAULT_CONTENT_DIR


class ContentLocation(BaseSettings):
    """Where the editors' content is: all the OpenAPI document needs, without AWS settings."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    content_dir: Path = DEFAULT_CONTENT_DIR


class EdgeSettings(BaseSettings):
    """What the function knows of the CDN in front of it: all that every route needs."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    # The secret the distribution adds to each request it forwards (`X-Origin-Verify`); empty
    # where there is no CDN (local runs outside the preview). Never shown in a repr.
    origin_secret: str = Field(default="", repr=False)


class Settings(ContentLocation):
    """What the function needs to know about its table, keys, site and limits."""

    submissions_table: str = Field(min_length=1)
    data_key_arn: str = Field(min_length=1)
    email_hash_key_arn: str = Field(min_length=1)
    # Comma-separated: the public site and, locally, the preview's origin.
    site_origin: str = Field(min_length=1)
    powertools_service_name: str = Field(min_length=1)
    powertools_metrics_namespace: str = Field(min_length=1)
    # Posts per source IP per minute, on top of API Gateway's own throttling; 0 turns it off.
    rate_limit_per_minute: int = Field(default=10, ge=0)

    @functools.cached_property
    def allowed_origins(self) -> frozenset[str]:
        """The origins whose pages may post the form, without trailing slashes."""
        return frozenset(
            origin.strip().rstrip("/") for origin in self.site_origin.split(",") if origin.strip()
        )
