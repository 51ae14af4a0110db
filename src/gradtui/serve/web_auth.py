"""Who may talk to ``gradtui serve web``: only its proxy, and only for pages of its own origin.

textual-serve has no login of its own, so a lab behind an authenticating reverse proxy takes the
learner's name from a header the proxy sets (``[server] web_user_header``). That header is only
as good as the proof that the proxy sent it: anyone else who can reach the port (another user of
the machine, a learner's cell in a ``sandbox = "none"`` session) could send ``X-Forwarded-User:
bob`` and become bob. So:

- **A shared secret.** On first start the lab writes a random secret to
  ``[server] web_proxy_secret_file`` (``web_proxy_secret`` in the lab folder, mode 0600, hidden
  from sandboxed sessions like the rest of the lab folder). The proxy sends it on every request as
  ``X-Gradtui-Proxy-Secret``; a request without it, or with another value (compared in constant
  time), is refused with 403 before anything else happens.
- **The websocket's Origin.** A browser says which page opened a websocket; a page from any other
  site (which the learner's browser would otherwise let drive their session, credentials and
  all) is refused. The allowed origin is ``[server] web_public_url``'s, or else the request's own
  ``Host``. A websocket without an Origin (no browser sends none) is refused too.

docs/labs.md shows the nginx and Caddy configuration.
"""

from __future__ import annotations

import hmac
import os
import secrets
import stat
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

PROXY_SECRET_HEADER = "X-Gradtui-Proxy-Secret"
_SECRET_BYTES = 32
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ProxySecretError(Exception):
    """The secret file cannot be used; the message says which file and why."""


def load_or_create_proxy_secret(path: Path) -> tuple[str, bool]:
    """The lab's proxy secret, and whether it was just created (mode 0600, never overwritten)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path), False
    except OSError as error:
        raise ProxySecretError(f"{path}: cannot create the proxy secret: {error}") from None
    secret = secrets.token_hex(_SECRET_BYTES)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    return secret, True


def _read_secret(path: Path) -> str:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ProxySecretError(f"{path}: the proxy secret must be a regular file")
        if info.st_size > 4096:
            raise ProxySecretError(f"{path}: not a proxy secret (it is {info.st_size:,} bytes)")
        secret = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise ProxySecretError(f"{path}: cannot read the proxy secret: {error}") from None
    if len(secret) < 32 or not secret.isascii() or not secret.isprintable() or " " in secret:
        raise ProxySecretError(
            f"{path}: the proxy secret must be one line of at least 32 printable characters "
            "(delete the file and restart to have a new one made)"
        )
    return secret


def secret_too_open(path: Path) -> bool:
    """True when others than the owner may read the secret file."""
    try:
        return bool(path.stat().st_mode & 0o077)
    except OSError:
        return False


def proxy_secret_matches(headers: Mapping[str, str], secret: str) -> bool:
    """Constant-time: the time taken says nothing about how much of a guess was right."""
    sent = headers.get(PROXY_SECRET_HEADER, "")
    return hmac.compare_digest(sent.encode("utf-8", "replace"), secret.encode("ascii"))


def origin_problem(headers: Mapping[str, str], public_url: str) -> str | None:
    """Why a websocket's ``Origin`` is not allowed, or None when it is."""
    origin = headers.get("Origin", "")
    if not origin:
        return "no Origin header (a browser always sends one)"
    got = _origin_key(origin)
    if public_url:
        wanted = _origin_key(public_url)
        if got is None or got != wanted:
            return f"Origin {origin!r} is not this lab's ({public_url})"
        return None
    host = headers.get("Host", "")
    if got is None or not host or got[1:] != _host_key(host, got[0]):
        return f"Origin {origin!r} is not this server ({host or 'no Host header'})"
    return None


def _origin_key(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not host or port is None:
        return None
    return ("https" if scheme in ("https", "wss") else "http", host, port)


def _host_key(host: str, scheme: str) -> tuple[str, int] | None:
    key = _origin_key(f"{scheme}://{host}")
    return None if key is None else key[1:]


def access_guard(
    secret: str | None, public_url: str, refused: Callable[[web.Request, str], None]
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """aiohttp middleware: the proxy secret on every request (when ``secret``), the Origin on
    websockets; ``refused(request, reason)`` logs a refusal."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if secret is not None and not proxy_secret_matches(request.headers, secret):
            refused(request, "no-proxy-secret")
            raise web.HTTPForbidden(
                text="gradtui lab: this server answers its proxy only; open the lab's address.\n"
            )
        if request.headers.get("Upgrade", "").lower() == "websocket" or request.path == "/ws":
            problem = origin_problem(request.headers, public_url)
            if problem is not None:
                refused(request, f"bad-origin: {problem}")
                raise web.HTTPForbidden(text=f"gradtui lab: {problem}\n")
        return await handler(request)

    return guard
