"""``[link]`` and ``[province]`` in loaxa.toml: every mistake named with its key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware_host.config import ConfigError, load_config
from firmware_host.link.bulletins import make_keypair

HEADER = '[commune]\nname = "Xã Ea Tu"\nprovince = "Đắk Lắk"\n'
KEY = make_keypair().public


def problems(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "loaxa.toml").write_text(HEADER + text, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    return [str(p) for p in caught.value.problems]


def test_the_link_is_off_by_default_and_a_filled_table_loads(tmp_path: Path) -> None:
    assert not load_config(tmp_path).link.enabled
    (tmp_path / "loaxa.toml").write_text(
        HEADER
        + f'[link]\nbroker = "mqtt.daklak.gov.vn"\ncommune_code = "24121"\nstation_id = "tram-1"\n'
        f'province_keys = ["{KEY}"]\npassword_file = "link-password"\n',
        "utf-8",
    )
    link = load_config(tmp_path).link
    assert link.enabled and (link.commune_code, link.station_id) == ("24121", "tram-1")
    assert link.broker.port == 8883 and link.broker.tls
    assert link.broker.password_file == tmp_path / "link-password"
    assert link.province_keys == (KEY,)
    province = load_config(tmp_path).province
    assert province.store == tmp_path / "province" and not province.broker.host


def test_each_mistake_is_named_with_its_line(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        '[link]\nbroker = "mqtts://mqtt.tinh.vn"\ncommune_code = "Xã 1"\n'
        'province_keys = ["không phải khoá"]\nstatus_seconds = 1\n',
    )
    text = "\n".join(found)
    assert "dòng 5: giá trị của 'link.broker'" in text and "mqtts://" in text
    assert "dòng 6: giá trị của 'link.commune_code'" in text and "chữ thường không dấu" in text
    assert "dòng 7: giá trị của 'link.province_keys'" in text and "44 ký tự base64" in text
    assert "dòng 8: giá trị của 'link.status_seconds'" in text
    assert "'link.station_id'" in text  # a broker needs the box's account name


def test_a_broker_needs_the_keys_and_broadcast_is_no_commune(tmp_path: Path) -> None:
    found = "\n".join(
        problems(
            tmp_path,
            '[link]\nbroker = "203.0.113.7"\ncommune_code = "broadcast"\nstation_id = "a"\n',
        )
    )
    assert "'link.commune_code'" in found and "'link.province_keys'" in found
