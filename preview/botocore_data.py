"""One botocore data loader for every session of a process of the local stand-in for AWS.

botocore parses its JSON (service models, endpoints) once per `Session`, and caches it on that
session's loader. moto makes sessions freely: three at import only to list EC2's regions, one
for each service it serves, and `mock_aws` drops boto3's default session at every start. So a
preview's moto server parsed EC2's 1 MB model three times and every other model twice or more:
0.66 s of the 3.5 s of CPU its start took, and the tests' workers parsed the same models again
for every in-process stack. Sharing one loader, per data path, parses each file once a process.

The loaded models are shared as they already are between the clients of one session, which
botocore treats as read-only. Applied with moto's fixes (`moto_compat.apply`), by the
preview's server and by the tests; never in Lambda or by the deploy.
"""

from __future__ import annotations

import inspect
import threading

import botocore.loaders
import botocore.session

# The botocore method replaced, and the SHA-256 (first 16 hex digits) of its source as written
# in the botocore this was checked against; `tests/test_preview_botocore_data.py` says when a
# botocore release changes it.
INTERNAL = "botocore.session:Session._register_data_loader"
FINGERPRINT = "217146aba7ceda63"

_original = botocore.session.Session._register_data_loader
_loaders: dict[object, botocore.loaders.Loader] = {}
_lock = threading.Lock()


def _register_shared_data_loader(self: botocore.session.Session) -> None:
    def shared_loader() -> botocore.loaders.Loader:
        data_path = self.get_config_variable("data_path")
        with _lock:
            loader = _loaders.get(data_path)
            if loader is None:
                loader = _loaders[data_path] = botocore.loaders.create_loader(data_path)
        return loader

    self._components.lazy_register_component("data_loader", shared_loader)


def share_one_loader() -> None:
    """From now on every new session of this process shares one loader (per data path)."""
    botocore.session.Session._register_data_loader = _register_shared_data_loader


def original_source() -> str:
    return inspect.getsource(_original)
