"""The proxy secret file and the websocket Origin rule of ``serve web``."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from gradtui.serve.web_auth import (
    PROXY_SECRET_HEADER,
    ProxySecretError,
    load_or_create_proxy_secret,
    origin_problem,
    proxy_secret_matches,
    secret_too_open,
)


def test_the_secret_is_made_once_private_and_then_kept(tmp_path: Path) -> None:
    path = tmp_path / "web_proxy_secret"
    secret, created = load_or_create_proxy_secret(path)
    assert created and len(secret) == 64 and int(secret, 16) >= 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and not secret_too_open(path)
    assert load_or_create_proxy_secret(path) == (secret, False)
    path.chmod(0o644)
    assert secret_too_open(path)


@pytest.mark.parametrize(
    ("content", "says"),
    [("short\n", "at least 32 printable"), ("x" * 5000, "not a proxy secret"),
     ("a b" * 20, "at least 32 printable")],
)
def test_a_secret_file_that_is_no_secret_is_refused(tmp_path: Path, content, says) -> None:
    path = tmp_path / "web_proxy_secret"
    path.write_text(content)
    with pytest.raises(ProxySecretError, match=says):
        load_or_create_proxy_secret(path)
    (tmp_path / "folder").mkdir()
    with pytest.raises(ProxySecretError, match="regular file"):
        load_or_create_proxy_secret(tmp_path / "folder")


def test_only_the_exact_secret_matches() -> None:
    secret = "ab" * 32
    assert proxy_secret_matches({PROXY_SECRET_HEADER: secret}, secret)
    for sent in ("", secret[:-1], secret + "0", secret.upper(), "é" * 64):
        assert not proxy_secret_matches({PROXY_SECRET_HEADER: sent}, secret)
    assert not proxy_secret_matches({}, secret)


@pytest.mark.parametrize(
    ("origin", "host", "public_url", "allowed"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000", "", True),
        ("https://lab.example.org", "lab.example.org", "", True),
        ("https://lab.example.org:443", "lab.example.org", "", True),
        ("https://LAB.example.org", "lab.example.org", "", True),
        ("http://evil.example", "127.0.0.1:8000", "", False),
        ("http://127.0.0.1:9999", "127.0.0.1:8000", "", False),
        ("null", "127.0.0.1:8000", "", False),
        ("", "127.0.0.1:8000", "", False),
        ("https://lab.example.org", "127.0.0.1:8000", "https://lab.example.org/", True),
        ("http://lab.example.org", "lab.example.org", "https://lab.example.org", False),
        ("https://evil.example", "evil.example", "https://lab.example.org", False),
    ],
)
def test_a_websocket_must_come_from_the_labs_own_origin(origin, host, public_url, allowed) -> None:
    headers = {"Host": host}
    if origin:
        headers["Origin"] = origin
    assert (origin_problem(headers, public_url) is None) == allowed
