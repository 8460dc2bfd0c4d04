"""Remake docs/report-first-page.png: the first page of a realistic month's DOCX report.

A September 2025 of the box at station Hòa Xuân of Xã Hòa Phú (Tỉnh Đắk Lắk; since
1 July 2025 there are no districts, and a merged commune runs one box per former
commune's system) is written into a temporary box's playback log through the real
PlayLog (an anti-fraud campaign twice a day until 15/9, with a power cut and a missed
slot; the morning news relayed from VOV1 every day; a storm emergency read by
text-to-speech), the whole month's report is built and written as DOCX by the real
code, LibreOffice renders it to PDF and pdftoppm turns the first page into a PNG.

Needs: ``apt-get install --no-install-recommends libreoffice-writer-nogui poppler-utils
fonts-liberation2`` (Liberation Serif 2.x has the Vietnamese letters and the metrics of
Times New Roman; the 1.x of ``fonts-liberation`` lacks them).

    python docs/make_report_picture.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from firmware_host.config import load_config
from firmware_host.logbook.playlog import PlayLog
from firmware_host.report import service

HERE = Path(__file__).resolve().parent
PICTURE = HERE / "report-first-page.png"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
CAMPAIGN = "Phòng chống lừa đảo qua mạng"
CONFIG = """\
[commune]
name = "Xã Hòa Phú"
province = "Tỉnh Đắk Lắk"
station = "Hòa Xuân"

[relays]
pin_factory = "mock"

[relays.zones]
"thon-1" = 27
"thon-2" = 22
"thon-3" = 23
"thon-4" = 24
"thon-5" = 25
"""
ZONES = ["thon-1", "thon-2", "thon-3", "thon-4", "thon-5"]


def _clip(
    clip_id: str, title: str, language: str, duration: float, source: str = "file"
) -> SimpleNamespace:
    return SimpleNamespace(
        id=clip_id, title=title, language=language, duration=duration, sha256=clip_id,
        source=source,
    )  # fmt: skip


CLIP_VI = _clip("canh-bao-gia-danh-cong-an", "Cảnh báo lừa đảo giả danh công an", "vi", 138.4)
CLIP_EDE = _clip("canh-bao-lua-dao-ede", "Cảnh báo lừa đảo qua mạng (tiếng Ê Đê)", "ede", 171.2)
CLIP_HOP = _clip("thong-bao-hop-thon", "Thông báo họp thôn", "vi", 52.0)
CLIP_BAO = _clip("bao-so-9-khan", "Bão số 9: sơ tán khẩn cấp khỏi vùng trũng", "vi", 64.5, "tts")
VOV1 = "Đài TNVN – VOV1"


def _session(log: PlayLog, at: datetime, *, slot: str | None, cut_after: int | None = None):
    manual = slot is None
    started = at + timedelta(seconds=1)
    playlist = [CLIP_HOP] if manual else [CLIP_VI, CLIP_EDE, CLIP_VI, CLIP_EDE]  # repeat 2
    session = log.start_session(
        trigger="manual" if manual else "schedule",
        scheduled=None if manual else at,
        started=started,
        campaign=None if manual else CAMPAIGN,
        slot=slot,
        zones=["thon-1", "thon-5"] if manual else ZONES,
        playlist=sorted({c.id for c in playlist}),
    )
    moment = started + timedelta(seconds=2)
    for index, clip in enumerate(playlist, start=1):
        ref = log.start_clip(session, started=moment, clip=clip, play_index=index)
        if cut_after is not None and index > cut_after:
            moment += timedelta(seconds=41.6)
            log.finish(ref, "interrupted", ended=moment, seconds=41.6, error=POWER_CUT)
            log.finish(session, "interrupted", ended=moment, seconds=0, error=POWER_CUT)
            return
        moment += timedelta(seconds=clip.duration)
        log.finish(ref, "completed", ended=moment, seconds=clip.duration)
        moment += timedelta(seconds=10)
    log.finish(session, "completed", ended=moment, seconds=(moment - started).total_seconds())


POWER_CUT = "mất điện hoặc hộp bị tắt đột ngột khi đang phát"


def _relay(log: PlayLog, at: datetime) -> None:
    """The morning news relayed from VOV1 (a stream), half an hour."""
    started = at + timedelta(seconds=1)
    session = log.start_session(
        trigger="schedule", scheduled=at, started=started, campaign="Tiếp sóng thời sự",
        slot="thời sự sáng", zones=ZONES, playlist=[],
    )  # fmt: skip
    planned = 1800.0
    ref = log.start_source(
        session, started=started + timedelta(seconds=2), play_index=1, kind="relay",
        source={"source_kind": "stream", "source_name": VOV1, "planned_seconds": planned,
                "source_url": "https://stream.example.vn/vov1.mp3"},
    )  # fmt: skip
    ended = started + timedelta(seconds=2 + planned)
    log.finish(ref, "completed", ended=ended, seconds=planned - 12, dropouts=1,
               dropout_seconds=12.0)  # fmt: skip
    log.finish(session, "completed", ended=ended, seconds=planned + 3)


def _emergency(log: PlayLog, at: datetime) -> None:
    """The chairman's storm order, read by text-to-speech, three times."""
    session = log.start_session(
        trigger="manual", scheduled=None, started=at, campaign="Phòng chống bão số 9",
        slot=None, zones=ZONES, playlist=[CLIP_BAO.id], tier="khan-cap",
        reason="bão số 9 đổ bộ", by="Y Thuê Niê, Chủ tịch UBND xã",
    )  # fmt: skip
    moment = at + timedelta(seconds=1)
    for index in range(1, 4):
        ref = log.start_clip(session, started=moment, clip=CLIP_BAO, play_index=index)
        moment += timedelta(seconds=CLIP_BAO.duration)
        log.finish(ref, "completed", ended=moment, seconds=CLIP_BAO.duration)
        moment += timedelta(seconds=5)
    log.finish(session, "completed", ended=moment, seconds=(moment - at).total_seconds())


def write_month(log: PlayLog) -> None:
    for day in range(1, 16):
        for hour, minute, slot in ((6, 30, "sáng"), (17, 0, "chiều")):
            at = datetime(2025, 9, day, hour, minute, tzinfo=HCM)
            if (day, slot) == (2, "sáng"):
                continue  # Quốc khánh: no campaign broadcast in the morning
            if (day, slot) == (14, "sáng"):
                log.record_missed(
                    scheduled=at,
                    campaign=CAMPAIGN,
                    slot=slot,
                    zones=ZONES,
                    playlist=[CLIP_VI.id, CLIP_EDE.id],
                    plan_key=f"lua-dao.toml#{slot}@{at.isoformat()}",
                    reason="hộp bị tắt hoặc mất điện (hoạt động lần cuối lúc 13/09 21:04)",
                    now=at + timedelta(minutes=40),
                )
                continue
            _session(log, at, slot=slot, cut_after=1 if (day, slot) == (9, "chiều") else None)
    _session(log, datetime(2025, 9, 10, 9, 15, tzinfo=HCM), slot=None)
    for day in range(1, 31):
        _relay(log, datetime(2025, 9, day, 5, 30, tzinfo=HCM))
    _emergency(log, datetime(2025, 9, 24, 14, 5, tzinfo=HCM))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="also keep the DOCX and PDF here")
    args = parser.parse_args()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        print("needs LibreOffice (soffice) and poppler-utils (pdftoppm)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="loaxa-picture-") as tmp:
        work = Path(tmp)
        box = work / "box"
        box.mkdir()
        (box / "loaxa.toml").write_text(CONFIG, "utf-8")
        config = load_config(box)
        log = PlayLog(config.log_dir, config.timezone)
        write_month(log)
        log.close()
        report = service.month_report(
            config, "2025-09", now=datetime(2025, 10, 6, 8, 0, tzinfo=HCM)
        )
        (docx_path,) = service.write_report(report, "docx", work / "out")
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={(work / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work / "out"),
                str(docx_path),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        pdf = docx_path.with_suffix(".pdf")
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(work / "page"),
            ],
            check=True,
        )
        shutil.copyfile(work / "page.png", PICTURE)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for path in (docx_path, pdf):
                shutil.copy2(path, args.keep / path.name)
    print(f"{PICTURE} ({PICTURE.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
