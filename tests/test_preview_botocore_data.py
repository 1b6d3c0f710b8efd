"""The local stand-in's processes parse each of botocore's models once (`preview.botocore_data`).

It replaces a private botocore method: a botocore release that changes it fails here first.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import botocore.session

from preview import botocore_data


def test_botocore_data_replaced_method_is_unchanged() -> None:
    source = botocore_data.original_source().encode("utf-8")
    assert hashlib.sha256(source).hexdigest()[:16] == botocore_data.FINGERPRINT, (
        f"botocore changed {botocore_data.INTERNAL}: check preview/botocore_data.py against it"
    )


def test_botocore_data_new_sessions_share_what_an_earlier_one_parsed() -> None:
    botocore_data.share_one_loader()
    first, second = botocore.session.Session(), botocore.session.Session()

    # The same model, parsed once: moto's sessions no longer parse EC2's 1 MB model three times.
    assert second.get_service_data("ec2") is first.get_service_data("ec2")


def test_botocore_data_session_with_its_own_data_path_reads_its_own_models(tmp_path: Path) -> None:
    botocore_data.share_one_loader()
    shared = botocore.session.Session()
    own = botocore.session.Session()
    own.set_config_variable("data_path", str(tmp_path))

    assert str(tmp_path) in own.get_component("data_loader").search_paths
    assert str(tmp_path) not in shared.get_component("data_loader").search_paths
