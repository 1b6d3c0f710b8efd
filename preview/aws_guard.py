"""Keep web pages away from the local AWS: only programs (boto3, the CLI, the tests) get in.

moto's server is AWS without credentials: whoever reaches it reads the submissions table and
has KMS decrypt what it holds. Programs on the editor's machine may (they could read the
preview's memory as well); a web page open in the editor's browser must not. A page can reach
the server three ways, and each is shut:

- a cross-origin request (another local port, a `null` origin, any site): a browser sends
  `Origin` and, since 2020-2023 in Chromium, Firefox and Safari, `Sec-Fetch-Site` and
  `Sec-Fetch-Mode` with it. boto3 sends neither: any request carrying one is refused. moto
  runs without its global CORS (`MOTO_DISABLE_GLOBAL_CORS`), and no `Access-Control-*` header
  ever leaves this server, so no page can read an answer either;
- a request a page may send without asking first (a form post, an image, a no-cors fetch),
  from a browser too old to send `Sec-Fetch-*`: it cannot carry `Authorization` or
  `X-Amz-Target`, and every call boto3 makes carries one of them (a SigV4 signature, or the
  target of an unsigned JSON call such as Cognito's `InitiateAuth`). A request with neither is
  refused;
- DNS rebinding, where the page and this server become one origin: its `Host` names the
  page's domain, and only this server's own loopback names with its port are answered
  (`preview.local_hosts`).

moto's own `/moto-api/` (its dashboard, `reset`, `seed`) serves nobody here and is refused to
everyone. A per-run secret every caller must present would also keep out other programs, but
boto3 has no setting that adds a header, so every client (the function's, the notifier's, the
CLI's, the tests') would need code to carry it; on a developer's machine the threat is the web
page, and these checks are what stops it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from preview.local_hosts import host_allowed, own_hosts

# What a browser adds to its requests, and boto3 never does (WSGI names). A same-origin proxy
# in the preview that forwards a page's call must leave these out.
BROWSER_HEADERS = (
    "HTTP_ORIGIN",
    "HTTP_SEC_FETCH_SITE",
    "HTTP_SEC_FETCH_MODE",
    "HTTP_SEC_FETCH_DEST",
)
SIGNATURE_PREFIX = "AWS4-HMAC-SHA256 "
MOTO_API_PREFIX = "/moto-api"
CORS_PREFIX = "access-control-"


def refusal(environ: dict[str, Any], allowed_hosts: frozenset[str]) -> str | None:
    """Why this request is refused, or None when it comes from a program on this machine."""
    if not host_allowed(environ.get("HTTP_HOST"), allowed_hosts):
        return "a Host other than this server's loopback names"
    if any(name in environ for name in BROWSER_HEADERS):
        return "a request from a web browser"
    if environ.get("PATH_INFO", "").startswith(MOTO_API_PREFIX):
        return "moto's own API"
    signed = environ.get("HTTP_AUTHORIZATION", "").startswith(SIGNATURE_PREFIX)
    if not signed and "HTTP_X_AMZ_TARGET" not in environ:
        return "a request no AWS SDK sends (neither signed nor an X-Amz-Target call)"
    return None


class LocalCallersOnly:
    """WSGI middleware in front of moto's server application; see the module's docstring."""

    def __init__(self, application: Callable[..., Iterable[bytes]], port: int = 0) -> None:
        self.application = application
        self.allowed_hosts = own_hosts(port)

    def listen_on(self, port: int) -> None:
        """Answer the loopback names with `port`: the one the server bound (0 picks one)."""
        self.allowed_hosts = own_hosts(port)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        reason = refusal(environ, self.allowed_hosts)
        if reason is not None:
            body = f"refused by the preview's local AWS: {reason}\n".encode()
            start_response(
                "403 Forbidden",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]

        def without_cors(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            kept = [(k, v) for k, v in headers if not k.lower().startswith(CORS_PREFIX)]
            return start_response(status, kept, *exc_info)

        return self.application(environ, without_cors)
