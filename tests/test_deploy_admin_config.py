"""The deploy's part in the staff inbox: the page's config and the invitation's words."""

from __future__ import annotations

import json

from infra.deploy import _write_admin_config
from infra.deploy.progress import Progress
from infra.deploy.site_sync import cache_control, local_files
from infra.staff import CONFIG_PATH, admin_config, invitation
from tests.support.site import CONTENT

OUTPUTS = {"StaffUserPoolId": "eu-central-1_abc", "StaffUserPoolClientId": "client123"}


def test_deploy_admin_config_names_the_stacks_pool_client_and_cognito(tmp_path) -> None:
    _write_admin_config(tmp_path, OUTPUTS, "eu-central-1", Progress(1))
    assert json.loads((tmp_path / CONFIG_PATH).read_text(encoding="utf-8")) == {
        "region": "eu-central-1",
        "user_pool_id": "eu-central-1_abc",
        "client_id": "client123",
        "cognito_endpoint": "https://cognito-idp.eu-central-1.amazonaws.com/",
    }
    (uploaded,) = local_files(tmp_path, frozenset()).values()
    assert uploaded.cache_control == "no-cache"


def test_deploy_admin_config_is_left_out_without_a_pool(tmp_path) -> None:
    assert admin_config({"SiteBucketName": "b"}, "eu-central-1") is None
    _write_admin_config(tmp_path, {}, "eu-central-1", Progress(1))
    assert not (tmp_path / CONFIG_PATH).exists()
    assert cache_control("admin/index.html") != "no-cache"


def test_deploy_invitation_in_the_default_language_with_cognitos_placeholders() -> None:
    words = invitation(CONTENT, "https://estimation.kz/admin/")
    message = words["StaffInvitationMessage"]
    assert "{username}" in message and "{####}" in message
    assert "https://estimation.kz/admin/" in message and "{admin_url}" not in message
    assert "Здравствуйте" in message  # ru is content/site.toml's default language
