"""Approval of campaign files by the commune leadership: who, when, which text.

The store is the real ``approvals.json`` beside the log; the box's decision is the real
``BoxRules.installed`` over real files, with the last good copies of the daemon.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from firmware_host.config import Config, load_config
from firmware_host.messages import LoaxaError
from firmware_host.schedules.approvals import Approvals, Decision, judge, text_sha256
from firmware_host.schedules.rules import BoxRules, LastGood

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 9, 1, 9, 15, tzinfo=TZ)
CHAIRMAN = "Nguyễn Văn A, Chủ tịch UBND xã"
REFS = {"thong-bao": 60.0}
VERSIONS = {"thong-bao": {"vi": "thong-bao"}}

CONFIG = """\
[commune]
name = "Xã Ea Tu"
province = "Tỉnh Đắk Lắk"

[relays]
pin_factory = "mock"

[relays.zones]
"thon-1" = 27

[policy]
require_approval = {approval}
"""

CAMPAIGN = """\
[campaign]
name = "Tắt sóng 2G"
start = 2024-09-02
end = 2024-09-15

[[slot]]
name = "sáng"
time = "06:30"
days = "hằng ngày"
playlist = ["thong-bao"]
zones = "tất cả"
"""


def box(tmp_path: Path, approval: bool = True) -> Config:
    data = tmp_path / "box"
    data.mkdir(exist_ok=True)
    (data / "loaxa.toml").write_text(CONFIG.format(approval=str(approval).lower()), "utf-8")
    config = load_config(data)
    config.scheduler.schedules_dir.mkdir(parents=True, exist_ok=True)
    return config


def campaign(config: Config, text: str = CAMPAIGN, name: str = "2g.toml") -> Path:
    path = config.scheduler.schedules_dir / name
    path.write_text(text, "utf-8")
    return path


def installed(config: Config, last_good: LastGood | None = None):
    rules = BoxRules.of(config, REFS, VERSIONS)
    return rules.installed(sorted(config.scheduler.schedules_dir.glob("*.toml")), last_good)


# --------------------------------------------------------------------------- pure


def test_the_status_of_a_text_follows_the_last_decision_and_its_hash() -> None:
    approvals = Approvals(Path("/nowhere"))
    assert approvals.path.name == "approvals.json"
    text = CAMPAIGN
    edited = text.replace("06:30", "06:31")
    ok = judge("2g.toml", text, {})
    assert (ok.state, ok.airs) == ("awaiting", False)
    digest = text_sha256(text)
    yes = {digest: Decision("2g.toml", digest, "approved", CHAIRMAN, NOW.isoformat())}
    no = {digest: Decision("2g.toml", digest, "refused", CHAIRMAN, NOW.isoformat(), "sai giờ")}
    assert judge("2g.toml", text, yes).state == "approved"
    assert judge("2g.toml", edited, yes).state == "voided"
    assert judge("2g.toml", text, no).state == "refused"
    assert judge("2g.toml", edited, no).state == "awaiting"
    assert judge("2g.toml", edited, yes).describe() == (
        "chờ duyệt lại: tệp đã bị sửa sau khi Nguyễn Văn A, Chủ tịch UBND xã duyệt lúc 09:15 "
        "01/09/2024, nên lần duyệt đó hết hiệu lực"
    )


# --------------------------------------------------------------------------- the store


def test_an_approval_records_who_when_and_the_hash_beside_the_log(tmp_path: Path) -> None:
    config = box(tmp_path)
    path = campaign(config)
    approvals = Approvals(config.log_dir)
    decision = approvals.approve(path, "  Nguyễn Văn A,  Chủ tịch UBND xã ", NOW)
    assert (decision.by, decision.at) == (CHAIRMAN, "2024-09-01T09:15:00+07:00")
    stored = json.loads((config.log_dir / "approvals.json").read_text("utf-8"))
    assert stored["files"]["2g.toml"][text_sha256(CAMPAIGN)] == {
        "file": "2g.toml",
        "sha256": text_sha256(CAMPAIGN),
        "verdict": "approved",
        "by": CHAIRMAN,
        "at": "2024-09-01T09:15:00+07:00",
        "reason": "",
    }
    assert not list(config.log_dir.glob(".*.tmp"))
    assert approvals.status(path).state == "approved"
    path.write_bytes(path.read_bytes().replace(b"06:30", b"06:31"))  # one byte
    assert approvals.status(path).state == "voided"
    path.write_text(CAMPAIGN, "utf-8")  # the edit undone: the approved text again
    assert approvals.status(path).state == "approved"


@pytest.mark.parametrize(
    ("call", "sentence"),
    [
        (
            lambda a, p: a.approve(p, "   ", NOW),
            'Hãy ghi rõ ai duyệt hoặc từ chối: --by "Họ tên, chức vụ", ví dụ --by "Nguyễn Văn A, '
            'Chủ tịch UBND xã".',
        ),
        (lambda a, p: a.refuse(p, CHAIRMAN, " ", NOW), 'Hãy ghi lý do từ chối: --reason "…".'),
        (
            lambda a, p: a.approve(p.with_name("khong-co.toml"), CHAIRMAN, NOW),
            "Không duyệt được: {folder}/khong-co.toml: không có tệp lịch này; kiểm tra lại tên "
            "tệp và thư mục",
        ),
    ],
)
def test_a_decision_without_a_name_a_reason_or_a_file_records_nothing(
    tmp_path: Path, call, sentence: str
) -> None:
    config = box(tmp_path)
    path = campaign(config)
    with pytest.raises(LoaxaError) as refused:
        call(Approvals(config.log_dir), path)
    assert str(refused.value) == sentence.format(folder=path.parent)
    assert not (config.log_dir / "approvals.json").exists()


@pytest.mark.parametrize(
    "damaged",
    ['{"files": [', '{"files": {}, "events": [{"event": "approved", "file": "2g.toml"}]}'],
)
def test_a_damaged_approvals_file_is_said_and_never_overwritten(tmp_path: Path, damaged) -> None:
    config = box(tmp_path)
    path = campaign(config)
    config.log_dir.mkdir(parents=True)
    (config.log_dir / "approvals.json").write_text(damaged, "utf-8")
    for attempt in (
        lambda: Approvals(config.log_dir).approve(path, CHAIRMAN, NOW),
        lambda: Approvals(config.log_dir).take_events([], NOW, lambda _e, _n: None),
        lambda: installed(config),
    ):
        with pytest.raises(LoaxaError) as refused:
            attempt()
        assert str(refused.value).startswith(
            f"Tệp ghi việc duyệt lịch '{config.log_dir / 'approvals.json'}' bị hỏng"
        )
    assert (config.log_dir / "approvals.json").read_text("utf-8") == damaged


def test_decisions_and_voids_are_handed_to_the_log_once(tmp_path: Path) -> None:
    config = box(tmp_path)
    path = campaign(config)
    approvals = Approvals(config.log_dir)
    approvals.approve(path, CHAIRMAN, NOW)
    logged: list[tuple[str, str]] = []
    assert approvals.take_events([], NOW, lambda e, n: logged.append((e, n))) == 1
    assert approvals.take_events([], NOW, lambda e, n: logged.append((e, n))) == 0
    path.write_text(CAMPAIGN.replace("06:30", "06:31"), "utf-8")
    voided = [approvals.status(path)]

    def failing(_event: str, _note: str) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        approvals.take_events(voided, NOW, failing)
    approvals.take_events(voided, NOW, lambda e, n: logged.append((e, n)))  # tried again
    approvals.take_events(voided, NOW, lambda e, n: logged.append((e, n)))  # once only
    approvals.refuse(path, CHAIRMAN, "chưa ghi giờ phát chiều", NOW)
    approvals.take_events([approvals.status(path)], NOW, lambda e, n: logged.append((e, n)))
    assert logged == [
        (
            "schedule_approved",
            f"Lịch 2g.toml được {CHAIRMAN} duyệt lúc 09:15 01/09/2024.",
        ),
        (
            "schedule_voided",
            f"Lịch 2g.toml đã bị sửa sau khi {CHAIRMAN} duyệt: lần duyệt đó hết hiệu lực, tệp "
            "chờ duyệt lại và không được phát.",
        ),
        (
            "schedule_refused",
            f"Lịch 2g.toml bị {CHAIRMAN} từ chối lúc 09:15 01/09/2024: chưa ghi giờ phát chiều.",
        ),
    ]


# --------------------------------------------------------------------------- what airs


def test_only_approved_text_airs_and_an_edit_waits(tmp_path: Path) -> None:
    config = box(tmp_path)
    path = campaign(config)
    state = installed(config)
    assert state.schedules == [] and state.problems == []
    assert [s.path for s in state.awaiting] == [path]  # shown by schedule show, not played
    assert state.waiting["2g.toml"].state == "awaiting"
    Approvals(config.log_dir).approve(path, CHAIRMAN, NOW)
    state = installed(config)
    assert [s.path for s in state.schedules] == [path] and state.waiting == {}
    path.write_text(CAMPAIGN + "\n", "utf-8")  # one byte
    state = installed(config)
    assert state.schedules == [] and state.waiting["2g.toml"].state == "voided"
    Approvals(config.log_dir).refuse(path, CHAIRMAN, "sai nội dung", NOW)
    state = installed(config)
    assert state.schedules == [] and state.waiting["2g.toml"].state == "refused"


def test_without_the_rule_every_valid_file_airs(tmp_path: Path) -> None:
    config = box(tmp_path, approval=False)
    path = campaign(config)
    state = installed(config)
    assert [s.path for s in state.schedules] == [path]
    assert state.approvals == {} and state.awaiting == []


def test_a_last_good_copy_runs_only_if_its_own_text_is_approved(tmp_path: Path) -> None:
    config = box(tmp_path)
    path = campaign(config)
    last_good = LastGood(config.data_dir)
    last_good.keep(path.name, CAMPAIGN)  # kept before approval was required
    broken = CAMPAIGN.replace('"06:30"', '"25:00"')
    path.write_text(broken, "utf-8")
    Approvals(config.log_dir).approve(path, CHAIRMAN, NOW)  # the broken text, approved
    state = installed(config, last_good)
    assert state.schedules == [] and state.from_last_good == {}
    path.write_text(CAMPAIGN, "utf-8")
    Approvals(config.log_dir).approve(path, CHAIRMAN, NOW)
    path.write_text(broken, "utf-8")
    Approvals(config.log_dir).approve(path, CHAIRMAN, NOW)
    state = installed(config, last_good)
    assert [s.path for s in state.schedules] == [path] and "2g.toml" in state.from_last_good
    # an unapproved edit (broken or not) silences the campaign, copy included
    path.write_text(broken + "# sửa\n", "utf-8")
    state = installed(config, last_good)
    assert state.schedules == [] and state.waiting["2g.toml"].state == "voided"


def test_a_file_waiting_for_approval_never_silences_one_on_air(tmp_path: Path) -> None:
    config = box(tmp_path)
    on_air = campaign(config, name="b.toml")
    Approvals(config.log_dir).approve(on_air, CHAIRMAN, NOW)
    waiting = campaign(config, name="a.toml")  # same time, sorts first
    state = installed(config)
    assert [s.path for s in state.schedules] == [on_air]
    (problem,) = state.problems
    assert (problem.file, problem.key, problem.params["other_file"]) == (
        str(waiting),
        "schedule.overlap",
        "b.toml",
    )
