"""Relayed slots in a schedule file: ``source = "stream"`` / ``"line-in"`` with their keys,
what the plan makes of them, and every address that must never reach ffmpeg or arecord.

``schedule check`` is run as the operator runs it (the CLI in-process); the stream's
playlist is served by a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from firmware_host.cli import main
from firmware_host.schedules import check_schedules, parse_schedule
from firmware_host.schedules.model import SourceSpec
from firmware_host.schedules.plan import plan_sessions
from tests.streaming import StreamServer

ZONES = ("thon-1", "thon-2", "thon-3")
REFS = {"xin-loi": 20.0, "ban-tin-dai-tinh": 1800.0, "nhac-hieu": 10.0}
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Lines:  6 [[slot]], 7 name, 8 time, 9 days, 10 zones, 11 source, 12 url, 13 until,
#        14 fallback, 15 source_name
RELAY = """\
[campaign]
name = "Tiếp sóng thời sự"
start = 2024-08-01
end = 2024-09-16

[[slot]]
name = "sáng"
time = "06:00"
days = "hằng ngày"
zones = "tất cả"
source = "stream"
url = "https://stream.vov.vn/vov1.mp3"
until = "06:30"
fallback = "xin-loi"
source_name = "Đài TNVN – VOV1"
"""


def write(tmp_path: Path, text: str, name: str = "tiep-song.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    _schedules, problems = check_schedules(
        [path], zones=ZONES, clip_refs=REFS, warmup=2.0, tail=0.5, tz=TZ
    )
    return [str(p).removeprefix(f"{path}, ") for p in problems]


def test_a_relayed_slot_reads_to_its_source_and_plans_its_length(tmp_path):
    schedule, problems = parse_schedule(write(tmp_path, RELAY), zones=ZONES)
    assert problems == [] and schedule is not None
    [slot] = schedule.slots
    assert slot.playlist == () and slot.time == time(6, 0)
    assert slot.source == SourceSpec(
        kind="stream",
        url="https://stream.vov.vn/vov1.mp3",
        seconds=1800.0,
        fallback="xin-loi",
        name="Đài TNVN – VOV1",
        line=12,
    )
    [session] = plan_sessions(
        [schedule], date(2024, 8, 1), date(2024, 8, 1), tz=TZ, clip_refs=REFS, warmup=2, tail=0.5
    )
    assert session.source == slot.source and session.expected_seconds == 1802.5


def test_an_intro_clip_then_the_relay_and_a_line_input(tmp_path):
    text = RELAY.replace('source = "stream"', 'playlist = ["nhac-hieu"]\nsource = "line-in"')
    text = text.replace(
        'url = "https://stream.vov.vn/vov1.mp3"', 'device = "plughw:CARD=Device,DEV=0"'
    )
    text = text.replace('until = "06:30"', "duration_minutes = 45")
    schedule, problems = parse_schedule(write(tmp_path, text), zones=ZONES)
    assert problems == [] and schedule is not None
    [slot] = schedule.slots
    assert slot.playlist == ("nhac-hieu",) and slot.source is not None
    assert (slot.source.kind, slot.source.device, slot.source.seconds) == (
        "line-in",
        "plughw:CARD=Device,DEV=0",
        2700.0,
    )
    [session] = plan_sessions(
        [schedule], date(2024, 8, 1), date(2024, 8, 1), tz=TZ, clip_refs=REFS, warmup=2, tail=0.5
    )
    assert session.expected_seconds == 2 + 10 + 2700 + 0.5


def test_a_relay_collides_with_a_slot_inside_its_time(tmp_path):
    later = """
[[slot]]
name = "tin-xa"
time = "06:20"
days = "hằng ngày"
zones = "tất cả"
playlist = ["nhac-hieu"]
"""
    found = problems_of(tmp_path, RELAY + later)
    assert len(found) == 1 and found[0].startswith(
        "dòng 19: khung giờ này trùng với khung giờ 'sáng'"
    )


@pytest.mark.parametrize(
    "url",
    [
        "file:///var/lib/loaxa/log/2024-09.json",
        "concat:https://a.vn/1.mp3|https://a.vn/2.mp3",
        "subfile,,start,0,end,100,,:https://a.vn/vov1.mp3",
        "data:audio/mpeg;base64,SUQz",
        "/var/lib/loaxa/clips/x.wav",
        "rtmp://a.vn/live",
    ],
)
def test_an_address_that_is_not_http_is_refused_on_its_line(tmp_path, url):
    found = problems_of(tmp_path, RELAY.replace("https://stream.vov.vn/vov1.mp3", url))
    assert found == [
        f"dòng 12: chỉ tiếp sóng được địa chỉ http:// hoặc https://, không phải '{url}' (tệp trên"
        " máy, file:, concat:, subfile:, data: đều bị từ chối)"
    ]


@pytest.mark.parametrize(
    "device",
    ["file:FILE=/var/lib/loaxa/log/2024-09.json,raw", "tee:'x',/etc/x", "hw:0 --x", ""],
)
def test_a_capture_device_that_alsa_would_turn_into_a_file_is_refused(tmp_path, device):
    text = RELAY.replace('source = "stream"', 'source = "line-in"')
    text = text.replace('url = "https://stream.vov.vn/vov1.mp3"', f"device = {device!r}")
    found = problems_of(tmp_path, text)
    assert len(found) == 1 and found[0].startswith("dòng 12: ")


@pytest.mark.parametrize(
    "old, new, sentence",
    [
        (
            'until = "06:30"',
            'until = "06:30"\nduration_minutes = 30',
            "dòng 13: chỉ ghi một trong hai: duration_minutes hoặc until",
        ),
        (
            'until = "06:30"',
            'until = "05:30"',
            'dòng 13: until = "05:30" phải sau giờ bắt đầu (time) trong cùng ngày',
        ),
        (
            'until = "06:30"',
            "duration_minutes = 0",
            "dòng 13: duration_minutes = 0 không hợp lệ; phải lớn hơn 0 và tối đa 720 phút",
        ),
        (
            'until = "06:30"\n',
            "",
            "dòng 6: thiếu khoá bắt buộc 'slot.duration_minutes'; thêm dòng: duration_minutes = 30",
        ),
        (
            'source = "stream"',
            'source = "radio"',
            "dòng 11: source = 'radio' không hợp lệ; chọn một trong: stream, line-in",
        ),
        (
            'source = "stream"\n',
            "",
            "dòng 11: khoá 'url' chỉ dùng cho khung giờ tiếp sóng; hãy thêm source = \"stream\""
            ' hoặc source = "line-in", hoặc xoá dòng này',
        ),
        (
            'fallback = "xin-loi"',
            'fallback = "khong-co"',
            "dòng 14: bài 'khong-co' chưa có trong thư viện bài phát; hãy nhập bằng lệnh loaxa"
            " clips import",
        ),
    ],
)
def test_each_mistake_in_a_relayed_slot_gets_its_line(tmp_path, old, new, sentence):
    found = problems_of(tmp_path, RELAY.replace(old, new, 1))
    assert sentence in found, found


def test_a_fallback_longer_than_the_relay_is_a_warning(tmp_path):
    path = write(
        tmp_path, RELAY.replace('"xin-loi"', '"ban-tin-dai-tinh"').replace("06:30", "06:10")
    )
    schedules, problems = check_schedules(
        [path], zones=ZONES, clip_refs=REFS, warmup=2.0, tail=0.5, tz=TZ
    )
    assert len(schedules) == 1 and [p.severity for p in problems] == ["warning"]
    assert "sẽ không bao giờ được phát" in str(problems[0])


# ---------------------------------------------------------------------- schedule check


@pytest.fixture
def server():
    running = StreamServer()
    running.start()
    yield running
    running.stop()


def check_cli(capsys, box, text: str) -> tuple[int, str]:
    folder = box.scheduler.schedules_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiep-song.toml").write_text(text, "utf-8")
    code = main(["--data-dir", str(box.data_dir), "schedule", "check"])
    return code, capsys.readouterr().out


@pytest.mark.parametrize(
    "entry",
    ["file:///var/lib/loaxa/clips/index.json", "concat:http://a.vn/1.ts|http://a.vn/2.ts"],
)
def test_schedule_check_reads_the_playlist_and_refuses_a_local_file_on_the_url_line(
    box, server, capsys, entry
):
    server.page(
        "/vov1.m3u8",
        f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nseg1.ts\n#EXTINF:10,\n{entry}\n",
        "application/vnd.apple.mpegurl",
    )
    text = RELAY.replace("https://stream.vov.vn/vov1.mp3", server.url("/vov1.m3u8"))
    code, out = check_cli(capsys, box, text.replace('fallback = "xin-loi"\n', ""))
    assert code == 1
    assert (
        f"tiep-song.toml, dòng 12: danh sách phát ở '{server.url('/vov1.m3u8')}' trỏ tới"
        f" '{entry}', không phải một địa chỉ http:// hoặc https://; luồng này bị từ chối"
    ) in out


def test_a_variant_playlist_is_checked_too_and_a_good_one_passes(box, server, capsys):
    server.page(
        "/master.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=64000\nlow.m3u8\n", "audio/mpegurl"
    )
    server.page("/low.m3u8", "#EXTM3U\n#EXTINF:10,\n/segments/1.ts\n", "audio/mpegurl")
    text = RELAY.replace("https://stream.vov.vn/vov1.mp3", server.url("/master.m3u8"))
    text = text.replace('fallback = "xin-loi"\n', "")
    code, out = check_cli(capsys, box, text)
    assert code == 0, out
    assert server.requests == ["/master.m3u8", "/low.m3u8"]
    server.page(
        "/low.m3u8",
        '#EXTM3U\n#EXT-X-MAP:URI="file:///etc/shadow"\n#EXTINF:10,\n1.ts\n',
        "audio/mpegurl",
    )
    code, out = check_cli(capsys, box, text)
    assert code == 1 and "'file:///etc/shadow'" in out


def test_an_unreachable_stream_is_a_warning_not_a_refusal(box, server, capsys):
    gone = server.url("/vov1.mp3")
    server.stop()
    text = RELAY.replace("https://stream.vov.vn/vov1.mp3", gone).replace(
        'fallback = "xin-loi"\n', ""
    )
    code, out = check_cli(capsys, box, text)
    assert code == 0, out
    assert (
        f"! {box.scheduler.schedules_dir / 'tiep-song.toml'}, dòng 12: lúc này không mở được luồng"
        in out
    )


def test_the_documented_relay_slot_is_valid(tmp_path):
    from tests.helpers import REPO

    doc = (REPO / "docs" / "schedules.md").read_text("utf-8")
    blocks = [block.split("```", 1)[0] for block in doc.split("```toml\n")[1:]]
    [example] = [block for block in blocks if "source =" in block]
    campaign = RELAY.split("[[slot]]")[0]
    path = write(tmp_path, campaign + example.replace("https://…/vov1.mp3", "https://a.vn/1.mp3"))
    _schedules, problems = check_schedules(
        [path], zones=ZONES, clip_refs={"xin-loi-mat-song": 15.0}, warmup=2, tail=0.5, tz=TZ
    )
    assert problems == []


def test_schedule_show_names_the_relayed_station(box, capsys):
    folder = box.scheduler.schedules_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiep-song.toml").write_text(RELAY.replace('fallback = "xin-loi"\n', ""), "utf-8")
    home = ["--data-dir", str(box.data_dir)]
    assert main([*home, "schedule", "show", "--from", "2024-08-01", "--days", "1"]) == 0
    out = capsys.readouterr().out
    assert "⇄ tiếp sóng Đài TNVN – VOV1" in out and "30:01" in out, (
        out
    )  # warm-up 0.4 s + 30 min + tail 0.2 s
    assert main([*home, "schedule", "show", "--from", "2024-08-01", "--days", "1", "--json"]) == 0
    [planned] = json.loads(capsys.readouterr().out)
    assert planned["source"]["url"] == "https://stream.vov.vn/vov1.mp3"
    assert planned["source"]["seconds"] == 1800.0
