"""Duyệt: a campaign written by one person airs only once another approves it.

The journey runs on a phone (Chromium at 360×800) against a real box — a real
``loaxa web`` and a real ``loaxa run`` (mock pins, ALSA file capture) with
``[policy] require_approval`` — and checks what people observe: the pages, the plan
``loaxa schedule show --json`` prints, what reached the speakers, which relay was on.
The rules (four eyes, a refusal's reason, the doors) are tried over plain HTTP against
a real ``loaxa web``.
"""

from __future__ import annotations

import array
import json
import os
import re
import subprocess
import sys
import wave
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from firmware_host.clips import ClipLibrary
from firmware_host.demo import captured_files
from firmware_host.schedules.approvals import Approvals
from firmware_host.web.audit import AuditLog
from tests.helpers import make_tone, wait_until
from tests.web.conftest import running_box
from tests.web.livebox import BOX_TABLES, LiveBox, log_json
from tests.web.panelserver import REPO, Client, PanelServer, start_panel
from tests.web.test_box_journeys import check_relays_safe, first_login, pitch
from tests.web.test_security import member, raw_get

REQUIRE_APPROVAL = "[policy]\nrequire_approval = true\n"
LAN_PASSWORD = "cá rô đồng 2026"
HUNG_PASSWORD = "trâu ăn cỏ 1975"
CAMPAIGN = """\
# Viết tay trên hộp
[campaign]
name = "Họp dân cuối năm"
start = {start}
end = {end}

[[slot]]
name = "sáng"
time = "06:30"
days = "hằng ngày"
playlist = ["thong-bao-hop-dan"]
zones = "tất cả"
"""


def loaxa(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """A ``loaxa`` command as the technician runs it on the box (in Vietnamese)."""
    command = [sys.executable, "-m", "firmware_host", "--data-dir", str(data_dir), *args]
    env = {**os.environ, "LOAXA_LANG": "vi"}
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=REPO, env=env)


def planned(data_dir: Path, file: str) -> list[dict]:
    shown = loaxa(data_dir, "schedule", "show", "--json", "--days", "1")
    assert shown.returncode == 0, shown.stderr
    return [entry for entry in json.loads(shown.stdout) if entry["file"] == file]


@pytest.mark.slow
def test_a_campaign_airs_once_another_person_approves_it(
    monkeypatch: pytest.MonkeyPatch, browser, tmp_path: Path
) -> None:
    with running_box(monkeypatch, BOX_TABLES + REQUIRE_APPROVAL) as live:
        journey(live, browser, tmp_path)


def journey(live: LiveBox, browser, tmp_path: Path) -> None:
    panel, daemon = live.panel, live.daemon
    lan_once = panel.add_user("Lan", "can-bo")
    hung_once = panel.add_user("Hùng", "lanh-dao")
    clip = ClipLibrary(panel.config).import_file(
        make_tone(tmp_path / "Tiêm chủng sởi.wav", seconds=4, frequency=440),
        title="Tiêm chủng sởi",
    )

    # -- Lan writes the campaign in the form; it waits for approval and does not air.
    officer = browser().new_page()
    first_login(officer, panel, "Lan", lan_once, LAN_PASSWORD)
    officer.get_by_role("link", name="Lịch phát").click()
    officer.get_by_role("link", name="Thêm chiến dịch").click()
    today = datetime.now(panel.config.timezone)
    officer.get_by_label("Tên chiến dịch").fill("Tiêm chủng sởi")
    officer.get_by_label("Ngày bắt đầu").fill(today.date().isoformat())
    officer.get_by_label("Ngày kết thúc").fill((today + timedelta(days=6)).date().isoformat())
    slot = officer.locator("#slot-0")
    slot.get_by_label("Tên khung giờ").fill("sáng")
    at = datetime.now(panel.config.timezone).replace(microsecond=0) + timedelta(seconds=50)
    slot.get_by_label("Giờ phát").fill(at.strftime("%H:%M:%S"))
    for day in ("T2", "T3", "T4", "T5", "T6", "T7", "CN"):
        slot.get_by_text(day, exact=True).click()
    slot.get_by_label("Bài 1").select_option(clip.id)
    officer.get_by_role("button", name="Lưu lịch").click()
    officer.wait_for_url(re.compile(r"/lich-phat#"))
    (written,) = panel.config.scheduler.schedules_dir.glob("*.toml")
    card = officer.locator(f"#{written.stem}")
    assert "chờ duyệt: chưa có ai duyệt tệp này" in card.inner_text()
    (waiting,) = planned(live.data_dir, written.name)
    assert waiting["awaiting_approval"] is True
    officer.get_by_role("link", name="7 ngày tới").click()
    assert "Tiêm chủng sởi" not in officer.inner_text(f"#ngay-{at.date().isoformat()}")

    # -- Hùng, on his phone: the nav counts one file; he reads it and approves it.
    leader = browser().new_page()
    first_login(leader, panel, "Hùng", hung_once, HUNG_PASSWORD)
    assert leader.locator("nav.pages .badge").inner_text() == "1"
    leader.get_by_role("link", name="Duyệt").click()
    row = leader.locator(f"#{written.stem}").inner_text()
    assert "Tiêm chủng sởi" in row and "Sửa lần cuối: Lan" in row
    assert "chờ duyệt: chưa có ai duyệt tệp này" in row
    leader.get_by_role("link", name="Xem thay đổi và duyệt").click()
    shown = leader.inner_text("main")
    assert "Chưa từng được duyệt: toàn bộ tệp" in shown
    assert "Người soạn, sửa bản này: Lan" in shown and "Hợp lệ" in shown
    diff = leader.inner_text("#diff")
    assert '+ name = "Tiêm chủng sởi"' in diff and f'+ time = "{at:%H:%M:%S}"' in diff
    assert leader.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways
    leader.get_by_role("button", name="Duyệt", exact=True).click()
    leader.wait_for_url(panel.url + "/duyet")
    assert "Đã duyệt lịch “Tiêm chủng sởi”" in leader.inner_text("main")
    assert "Không có lịch nào chờ duyệt." in leader.inner_text("main")
    assert leader.locator("nav.pages .badge").count() == 0
    assert datetime.now(panel.config.timezone) < at - timedelta(seconds=3), "approved too late"
    (airing,) = planned(live.data_dir, written.name)
    assert airing["awaiting_approval"] is False

    # -- It airs at its time: the speakers heard the clip, the relays did their part.
    def sessions() -> list[dict]:
        return [row for row in log_json(live.data_dir) if row["kind"] == "session"]

    wait_until(lambda: [s["status"] for s in sessions()] == ["completed"], 90, what=sessions)
    (session,) = sessions()
    assert session["campaign"] == "Tiêm chủng sởi" and session["slot"] == "sáng"
    (heard,) = captured_files(live.capture_dir)
    with wave.open(str(heard), "rb") as capture:
        audio = array.array("h", capture.readframes(capture.getnframes())).tolist()
    assert clip.duration <= len(audio) / 48000 < clip.duration + 0.5
    assert pitch(audio[: int(clip.duration * 48000)]) == pytest.approx(440, rel=0.02)
    wait_until(
        lambda: [on for _at, n, on in daemon.relay_changes() if n == "amplifier"] == [True, False],
        10,
        what=lambda: "".join(daemon.output),
    )
    check_relays_safe(daemon.relay_changes())


# -- the rules, over HTTP ---------------------------------------------------------------------
def box(tmp_path: Path, tables: str) -> Iterator[PanelServer]:
    server = start_panel(tmp_path / "box", tables=tables)
    today = datetime.now(server.config.timezone).date()
    ClipLibrary(server.config).import_file(
        make_tone(tmp_path / "Thông báo họp dân.wav", seconds=1.5), title="Thông báo họp dân"
    )
    folder = server.config.scheduler.schedules_dir
    folder.mkdir(parents=True, exist_ok=True)
    text = CAMPAIGN.format(start=today, end=today + timedelta(days=30))
    (folder / "hop-dan.toml").write_text(text, "utf-8")
    yield server
    server.stop()
    assert "Traceback" not in "".join(server.output), "".join(server.output)


@pytest.fixture
def approving(tmp_path: Path) -> Iterator[PanelServer]:
    """A panel on a box that requires approval, with one hand-written campaign."""
    yield from box(tmp_path, REQUIRE_APPROVAL)


@pytest.fixture
def free(tmp_path: Path) -> Iterator[PanelServer]:
    """The same, on a box that does not require approval."""
    yield from box(tmp_path, "")


def state(panel: PanelServer, name: str = "hop-dan.toml") -> tuple[str, str]:
    status = Approvals(panel.config.log_dir).status(panel.config.scheduler.schedules_dir / name)
    return status.state, status.decision.by if status.decision else ""


def decide(client: Client, action: str, name: str = "hop-dan.toml", **form: str):
    page = client.get(f"/duyet/{name}")
    assert page.status == 200, page.body
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', page.body)
    assert sha, page.body
    fields = {"csrf": page.csrf(), "sha256": sha.group(1), **form}
    return client.post(f"/duyet/{name}/{action}", fields)


def test_whoever_edited_a_version_cannot_approve_it(approving: PanelServer) -> None:
    panel = approving
    hoa = member(panel, "Hoa", "can-bo", "lanh-dao")
    hung = member(panel, "Hùng", "lanh-dao")
    # Written by hand: no panel author, any leader approves it.
    queue = hoa.get("/duyet")
    assert "Sửa tay hoặc chép từ USB" in queue.body and "Họp dân cuối năm" in queue.body
    assert "Không có tên người soạn" in hoa.get("/duyet/hop-dan.toml").body
    assert decide(hoa, "duyet").location == "/duyet"
    assert state(panel) == ("approved", "Hoa")
    # Hoa moves the time through the panel: the approval is void, and not hers to give.
    path = panel.config.scheduler.schedules_dir / "hop-dan.toml"
    edited = path.read_text("utf-8").replace('"06:30"', '"07:00"')
    token = hoa.get("/lich-phat/hop-dan.toml/van-ban").csrf()
    saved = hoa.post("/lich-phat/hop-dan.toml/van-ban", {"csrf": token, "text": edited})
    assert saved.status == 303, saved.body
    assert state(panel) == ("voided", "Hoa")
    queue = hung.get("/duyet").body
    assert "Sửa lần cuối: Hoa" in queue and "chờ duyệt lại" in queue
    own = hoa.get("/duyet/hop-dan.toml").body
    assert "không thể tự duyệt" in own and 'action="/duyet/hop-dan.toml/duyet"' not in own
    refused = decide(hoa, "duyet")
    assert refused.status == 403
    assert "Bạn đã soạn hoặc sửa bản này của lịch nên không thể tự duyệt" in refused.body
    assert state(panel) == ("voided", "Hoa")
    # Hùng sees exactly what changed since Hoa's approval, and approves it.
    page = hung.get("/duyet/hop-dan.toml").body
    assert "Thay đổi so với bản Hoa duyệt lúc" in page
    assert '<span class="del">− time = &#34;06:30&#34;</span>' in page
    assert '<span class="add">+ time = &#34;07:00&#34;</span>' in page
    assert "name = &#34;Họp dân cuối năm&#34;" not in page  # far from the change: left out
    assert decide(hung, "duyet").location == "/duyet"
    assert state(panel) == ("approved", "Hùng")


def test_a_refusal_needs_a_reason_and_is_shown_where_the_file_is(
    approving: PanelServer,
) -> None:
    panel = approving
    hung = member(panel, "Hùng", "lanh-dao")
    blank = decide(hung, "tu-choi", reason="   ")
    assert blank.status == 400 and "Hãy ghi lý do từ chối" in blank.body
    assert state(panel) == ("awaiting", "")
    done = decide(hung, "tu-choi", reason="Sai giờ: <b>trùng giờ họp</b>")
    assert done.location == "/duyet"
    assert state(panel) == ("refused", "Hùng")
    queue = hung.get("/duyet").body  # a refused file stays in the queue, with why
    assert "bị Hùng từ chối lúc" in queue and "Sai giờ: &lt;b&gt;trùng giờ họp&lt;/b&gt;" in queue
    lan = member(panel, "Lan", "can-bo")
    campaigns = lan.get("/lich-phat").body
    assert "bị Hùng từ chối lúc" in campaigns and "Sai giờ: &lt;b&gt;" in campaigns
    checked = loaxa(panel.data_dir, "schedule", "check")
    assert "bị Hùng từ chối lúc" in checked.stdout + checked.stderr
    assert "Sai giờ: <b>trùng giờ họp</b>" in checked.stdout + checked.stderr
    month = datetime.now(panel.config.timezone).strftime("%Y-%m")
    audit = AuditLog(panel.data_dir / "web", panel.config.timezone).read(month)
    assert any(
        entry["action"] == "schedule.refuse"
        and entry["who"] == "Hùng"
        and entry["target"] == "hop-dan.toml"
        and entry["detail"]["reason"] == "Sai giờ: <b>trùng giờ họp</b>"
        for entry in audit
    ), audit


def test_without_the_rule_the_page_says_so_and_a_leader_may_still_approve(
    free: PanelServer,
) -> None:
    hung = member(free, "Hùng", "lanh-dao")
    queue = hung.get("/duyet").body
    assert "Xã chưa bật yêu cầu duyệt lịch" in queue and "Họp dân cuối năm" in queue
    assert decide(hung, "duyet").location == "/duyet"
    assert state(free) == ("approved", "Hùng")
    assert "Không có lịch nào chờ duyệt." in hung.get("/duyet").body


def test_the_doors_of_the_approval_page(approving: PanelServer) -> None:
    panel = approving
    hung = member(panel, "Hùng", "lanh-dao")
    lan = member(panel, "Lan", "can-bo")
    token = lan.get("/").csrf()
    for path in ("/duyet", "/duyet/hop-dan.toml"):
        assert lan.get(path).status == 403, path
    for action in ("duyet", "tu-choi"):
        form = {"csrf": token, "reason": "không thích"}
        answer = lan.post(f"/duyet/hop-dan.toml/{action}", form)
        assert answer.status == 403 and "không có quyền" in answer.body, action
    # A leader's form without its token is refused too.
    page = hung.get("/duyet/hop-dan.toml")
    assert page.status == 200
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', page.body).group(1)
    forged = hung.post("/duyet/hop-dan.toml/duyet", {"sha256": sha})
    assert forged.status == 403 and "Biểu mẫu đã hết hạn" in forged.body
    assert state(panel) == ("awaiting", "")
    # Names that leave the schedules folder are not found.
    cookie = "; ".join(f"{k}={v}" for k, v in hung.cookies.items())
    for path in ("/duyet/..%2F..%2Floaxa.toml", "/duyet/..%2Fweb%2Fusers.json"):
        status, body = raw_get(panel, path, cookie=cookie)
        assert status == 404, (path, status)
        assert "argon2" not in body and "[commune]" not in body
    assert hung.post("/duyet/..%2F..%2Floaxa.toml/duyet", {"csrf": page.csrf()}).status == 404


def test_a_file_changed_while_the_leader_reads_it_is_not_decided(
    approving: PanelServer,
) -> None:
    panel = approving
    hung = member(panel, "Hùng", "lanh-dao")
    page = hung.get("/duyet/hop-dan.toml")
    path = panel.config.scheduler.schedules_dir / "hop-dan.toml"
    path.write_text(path.read_text("utf-8").replace('"06:30"', '"05:30"'), "utf-8")
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', page.body).group(1)
    late = hung.post("/duyet/hop-dan.toml/duyet", {"csrf": page.csrf(), "sha256": sha})
    assert late.status == 409 and "Tệp vừa bị sửa trong lúc bạn xem" in late.body
    assert "05:30" in late.body
    assert state(panel) == ("awaiting", "")
