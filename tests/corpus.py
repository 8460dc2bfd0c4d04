"""A corpus of bad (and awkward but valid) inputs an operator could plausibly bring.

Small ones are written as text; large or binary ones are made by ffmpeg when the tests
run (a 3-hour recording is 80 MB: generated, never committed).
``python -m tests.corpus DIR`` writes the whole corpus into DIR to look at by hand.
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

from tests.helpers import make_tone

# name -> (should import?, how to make it)
CLIPS: dict[str, bool] = {
    "truncated.mp3": False,
    "zero-bytes.mp3": False,
    "van-ban.mp3": False,  # a text file renamed .mp3
    "8khz-mono.wav": True,
    "96khz-24bit.wav": True,
    "6-kenh.wav": True,
    "ba-gio.wav": False,  # three hours: over the 30-minute cap
    "im-lang.wav": False,  # pure silence
    "vuong-bi-xen.wav": True,  # a clipping square wave: normalised, not refused
    "id3-la.mp3": True,  # ID3 tags in Latin-1 and UTF-16 with Vietnamese text
    unicodedata.normalize("NFC", "Thông báo NFC.mp3"): True,
    unicodedata.normalize("NFD", "Thông báo NFD.mp3"): True,
    "Loa xã 📢 thông báo.mp3": True,  # spaces and emoji
    # Files that are not what their name says: demuxers that open other files, a live
    # stream that never ends, 64 MB of zeros (a copy that never got its data), and a
    # WAV named .mp3, which is an accepted format under another suffix.
    "danh-sach-phat.mp3": False,  # an HLS playlist of files elsewhere on the box
    "ghep-noi.mp3": False,  # an ffconcat script naming /etc/passwd
    "truc-tiep.m3u8": False,  # a live HLS playlist: no #EXT-X-ENDLIST, waits forever
    "toan-so-0.mp3": False,
    "wav-doi-ten.mp3": True,
}


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True, timeout=120)


def make_clip(name: str, folder: Path) -> Path:
    path = folder / name
    if name == "truncated.mp3":
        whole = make_tone(folder / "whole.mp3", seconds=6)
        path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])
        whole.unlink()
    elif name == "zero-bytes.mp3":
        path.write_bytes(b"")
    elif name == "van-ban.mp3":
        path.write_text("Biên bản họp thôn ngày 5/9.\n" * 200, "utf-8")
    elif name == "8khz-mono.wav":
        make_tone(path, seconds=2, rate=8000, channels=1)
    elif name == "96khz-24bit.wav":
        _ffmpeg(
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=500:sample_rate=96000:duration=2",
            "-c:a",
            "pcm_s24le",
            str(path),
        )
    elif name == "6-kenh.wav":
        make_tone(path, seconds=2, channels=6)
    elif name == "ba-gio.wav":
        _ffmpeg(
            "-f",
            "lavfi",
            "-i",
            "anullsrc=r=8000:cl=mono",
            "-t",
            "10800",
            "-c:a",
            "pcm_u8",
            str(path),
        )
    elif name == "im-lang.wav":
        _ffmpeg("-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo", "-t", "3", str(path))
    elif name == "vuong-bi-xen.wav":
        _ffmpeg(
            "-f",
            "lavfi",
            "-i",
            "aevalsrc='if(lt(mod(t*220,1),0.5),1,-1)':s=44100:d=2",
            "-af",
            "volume=4",
            str(path),
        )
    elif name == "id3-la.mp3":
        _ffmpeg(
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=330:duration=2",
            "-id3v2_version",
            "3",
            "-metadata",
            "title=Thông báo họp dân",
            "-metadata",
            "artist=UBND xã",
            str(path),
        )
    elif name in ("danh-sach-phat.mp3", "truc-tiep.m3u8"):
        (folder / "noi-khac").mkdir(exist_ok=True)
        elsewhere = make_tone(folder / "noi-khac" / "bi-mat.mp3", seconds=3)
        lines = ["#EXTM3U", "#EXT-X-TARGETDURATION:3"]
        lines += ["#EXTINF:3.0,", str(elsewhere), "#EXTINF:3.0,", "noi-khac/bi-mat.mp3"]
        if name == "danh-sach-phat.mp3":
            lines.append("#EXT-X-ENDLIST")
        path.write_text("\n".join(lines) + "\n", "utf-8")
    elif name == "ghep-noi.mp3":
        path.write_text("ffconcat version 1.0\nfile '/etc/passwd'\n", "utf-8")
    elif name == "toan-so-0.mp3":
        with path.open("wb") as handle:
            handle.truncate(64 * 2**20)  # sparse
    elif name == "wav-doi-ten.mp3":
        _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-f", "wav", str(path))
    else:
        make_tone(path, seconds=1.5)
    return path


# name -> (text, a fragment of the Vietnamese message, a fragment of the English one)
SCHEDULE_HEAD = '[campaign]\nname = "Thử"\nstart = 2024-08-01\nend = 2024-09-16\n\n'
SLOT = '[[slot]]\ntime = "06:30"\ndays = "T2"\nplaylist = ["a"]\nzones = ["thon-1"]\n'
SCHEDULES: dict[str, tuple[str, str, str]] = {
    "sai-kieu.toml": (SCHEDULE_HEAD + SLOT.replace('"T2"', "2"), "dòng 8", "line 8"),
    "khoa-la.toml": (SCHEDULE_HEAD + SLOT + "volume = 5\n", "volume", "volume"),
    "trung-khung.toml": (
        SCHEDULE_HEAD + SLOT + "\n" + SLOT,
        "dòng 13: khung giờ này trùng",
        "line 13",
    ),
    "30-02.toml": (SCHEDULE_HEAD.replace("2024-09-16", '"30/02/2025"'), "30/02/2025", "30/02/2025"),
    "29-02.toml": (SCHEDULE_HEAD.replace("2024-09-16", '"29/02/2025"'), "29/02/2025", "29/02/2025"),
    "24h.toml": (SCHEDULE_HEAD + SLOT.replace("06:30", "24:00"), "24:00", "24:00"),
    "nguoc.toml": (SCHEDULE_HEAD.replace("2024-08-01", "2024-10-01") + SLOT, "dòng 4", "line 4"),
    "thu-8.toml": (SCHEDULE_HEAD + SLOT.replace('"T2"', '"T8"'), "'T8'", "'T8'"),
    "thieu-bai.toml": (
        SCHEDULE_HEAD + SLOT.replace('playlist = ["a"]\n', ""),
        "playlist",
        "playlist",
    ),
}


def many_slots(count: int = 10_000) -> str:
    """10,000 slots in one day, 8 s apart: valid times, a stress for parser and checker."""
    lines = [SCHEDULE_HEAD.replace("2024-09-16", "2024-08-07")]
    for index in range(count):
        seconds = index * 8
        hh, mm, ss = seconds // 3600, seconds // 60 % 60, seconds % 60
        lines.append(
            f'[[slot]]\nname = "s{index}"\ntime = "{hh:02}:{mm:02}:{ss:02}"\n'
            f'days = "hằng ngày"\nplaylist = ["a"]\nzones = ["thon-1"]\n'
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path("corpus")
    folder.mkdir(parents=True, exist_ok=True)
    for name in CLIPS:
        make_clip(name, folder)
    for name, (text, _vi, _en) in SCHEDULES.items():
        (folder / name).write_text(text, "utf-8")
    (folder / "10000-khung.toml").write_text(many_slots(), "utf-8")
    print(f"corpus written to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
