"""Which `Host` a local server answers: its own loopback names with its port, nothing else.

A page on a domain the attacker controls can make the editor's browser reach 127.0.0.1 by
pointing that domain at it (DNS rebinding): the page and the local server are then one origin
to the browser, and the same-origin policy no longer protects the server. The request still
names the attacker's domain in its `Host`, so a server that answers only its own names is out
of reach. webpack-dev-server (`allowedHosts`) and Vite refuse foreign hosts for this reason.

>>> allowed = own_hosts(8000)
>>> host_allowed("127.0.0.1:8000", allowed), host_allowed("LOCALHOST:8000", allowed)
(True, True)
>>> host_allowed("evil.example:8000", allowed), host_allowed("127.0.0.1:8001", allowed)
(False, False)
>>> host_allowed("127.0.0.1:5000", own_hosts(5000, "192.168.1.20"))
True
>>> host_allowed("192.168.1.20:5000", own_hosts(5000, "192.168.1.20"))
True
"""

from __future__ import annotations

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
# Listening on every address names no host a browser could use.
WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})


def _host_with_port(name: str, port: int) -> str:
    name = name.lower()
    return f"[{name}]:{port}" if ":" in name else f"{name}:{port}"


def own_hosts(port: int, listen_host: str = "") -> frozenset[str]:
    """The `Host` values a server on `port` answers: loopback names, and `listen_host`."""
    names = set(LOOPBACK_NAMES)
    if listen_host not in WILDCARD_ADDRESSES:
        names.add(listen_host.strip("[]"))
    return frozenset(_host_with_port(name, port) for name in names)


def host_allowed(host: str | None, allowed: frozenset[str]) -> bool:
    """Whether a request's `Host` header (None when it had none) is one of `allowed`."""
    return host is not None and host.strip().lower() in allowed
