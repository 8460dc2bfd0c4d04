"""``[web]`` in loaxa.toml: defaults, checks, messages with the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware_host.config import ConfigError, load_config

HEAD = '[commune]\nname = "Xã Thử"\nprovince = "Tỉnh Thử"\n\n[web]\n'


def write(tmp_path: Path, web: str) -> Path:
    (tmp_path / "loaxa.toml").write_text(HEAD + web, "utf-8")
    return tmp_path


def test_defaults(tmp_path: Path) -> None:
    web = load_config(tmp_path).web
    assert (web.host, web.port, web.tls, web.session_minutes) == ("0.0.0.0", 8080, False, 30)
    assert web.max_upload_bytes == 200 * 1024 * 1024


def test_tls_files_are_relative_to_the_data_dir(tmp_path: Path) -> None:
    web = load_config(write(tmp_path, 'tls_cert = "tls/box.pem"\ntls_key = "/etc/k.pem"\n')).web
    assert web.tls and web.tls_cert == tmp_path / "tls" / "box.pem"
    assert web.tls_key == Path("/etc/k.pem")


@pytest.mark.parametrize(
    ("lines", "line", "words"),
    [
        ('host = "my-box"\n', 6, "không phải địa chỉ IP"),
        ("port = 0\n", 6, "0 ∉ [1, 65535]"),
        ("session_minutes = 0\n", 6, "session_minutes"),
        ("max_upload_mb = 99999\n", 6, "max_upload_mb"),
        ('port = 80\ntls_cert = "c.pem"\n', 7, "tls_cert và tls_key"),
        ('port = "8080"\n', 6, "web.port"),
    ],
)
def test_bad_values_name_the_line(tmp_path: Path, lines: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_config(write(tmp_path, lines))
    text = str(refused.value)
    assert f"dòng {line}" in text and words in text, text
