"""Accounts: what ``loaxa users add/list/remove/reset`` and the panel change on disk,
and what the audit log says about it."""

from __future__ import annotations

import json
import multiprocessing
import stat
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from firmware_host.messages import LoaxaError, set_language
from firmware_host.web.audit import AuditLog
from firmware_host.web.users import ONE_TIME_ALPHABET, UserStore

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def store(tmp_path: Path) -> UserStore:
    return UserStore.for_data_dir(tmp_path, HCM)


def test_add_gives_a_one_time_password_that_works_once_changed(store: UserStore) -> None:
    password = store.add("Lan", ["can-bo"], by="root", origin="cli")
    groups = password.split("-")
    assert [len(g) for g in groups] == [4, 4, 4]
    assert set("".join(groups)) <= set(ONE_TIME_ALPHABET)
    user = store.verify("lan", password)  # letter case of the name does not matter
    assert user is not None and user.must_change and user.roles == ("can-bo",)
    assert store.verify("Lan", "not-it") is None
    assert store.verify("Nobody", password) is None

    changed = store.change_password("Lan", password, "một câu dễ nhớ", origin="10.0.0.7")
    assert not changed.must_change and changed.epoch == user.epoch + 1
    assert store.verify("Lan", password) is None
    assert store.verify("Lan", "một câu dễ nhớ") is not None


def test_the_file_is_private_and_holds_no_password(store: UserStore, tmp_path: Path) -> None:
    password = store.add("Lan", ["can-bo", "lanh-dao"], by="root", origin="cli")
    path = tmp_path / "web" / "users.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text("utf-8")
    assert password not in text
    (record,) = json.loads(text)["users"]
    assert record["hash"].startswith("$argon2id$")
    assert "m=12288,t=3,p=1" in record["hash"]


def test_list_remove_and_the_last_technician(store: UserStore) -> None:
    store.add("Minh", ["ky-thuat"], by="root", origin="cli")
    store.add("an", ["can-bo"], by="Minh", origin="10.0.0.2")
    assert [(u.name, u.roles) for u in store.list()] == [
        ("an", ("can-bo",)),
        ("Minh", ("ky-thuat",)),
    ]
    with pytest.raises(LoaxaError) as refused:
        store.remove("minh", by="root", origin="cli")
    assert refused.value.key == "web.users.last_technician"
    store.add("Hà", ["ky-thuat", "can-bo"], by="root", origin="cli")
    store.remove("MINH", by="Hà", origin="10.0.0.3")
    assert [u.name for u in store.list()] == ["an", "Hà"]
    with pytest.raises(LoaxaError) as unknown:
        store.remove("Minh", by="Hà", origin="10.0.0.3")
    assert unknown.value.key == "web.users.unknown"


def test_reset_ends_the_old_password_and_the_sessions(store: UserStore) -> None:
    first = store.add("Lan", ["can-bo"], by="root", origin="cli")
    store.change_password("Lan", first, "mật khẩu riêng", origin="10.0.0.7")
    before = store.get("Lan")
    again = store.reset("lan", by="Minh", origin="10.0.0.2")
    after = store.get("Lan")
    assert again != first and after.must_change and after.epoch > before.epoch
    assert store.verify("Lan", "mật khẩu riêng") is None
    assert store.verify("Lan", again) is not None


@pytest.mark.parametrize(
    ("name", "roles", "key"),
    [
        ("", ["can-bo"], "web.users.bad_name"),
        ("x" * 65, ["can-bo"], "web.users.bad_name"),
        ("Lan\u202e", ["can-bo"], "web.users.bad_name"),  # a right-to-left override
        ("Lan\u200b", ["can-bo"], "web.users.bad_name"),  # a zero-width space
        ("Lan\nAn", ["can-bo"], "web.users.bad_name"),
        ("Lan", [], "web.users.bad_role"),
        ("Lan", ["admin"], "web.users.bad_role"),
    ],
)
def test_bad_names_and_roles_are_refused_with_a_message(
    store: UserStore, name: str, roles: list[str], key: str
) -> None:
    with pytest.raises(LoaxaError) as refused:
        store.add(name, roles, by="root", origin="cli")
    assert refused.value.key == key
    assert store.list() == []
    vietnamese = str(refused.value)
    set_language("en")
    english = str(refused.value)
    assert ("Tên đăng nhập" in vietnamese) or ("Vai trò" in vietnamese)
    assert ("user name" in english) or ("role" in english)


def test_names_differing_only_in_case_are_one_name(store: UserStore) -> None:
    store.add("Lan", ["can-bo"], by="root", origin="cli")
    with pytest.raises(LoaxaError) as refused:
        store.add("LAN", ["lanh-dao"], by="root", origin="cli")
    assert refused.value.key == "web.users.exists"
    # Vietnamese letters typed precomposed or decomposed are the same name too.
    store.add("Hà", ["can-bo"], by="root", origin="cli")
    with pytest.raises(LoaxaError):
        store.add("Ha\u0300", ["can-bo"], by="root", origin="cli")


@pytest.mark.parametrize(
    ("new", "key"),
    [
        ("ngắn", "web.password.too_short"),
        ("x" * 129, "web.password.too_long"),
        ("LAN-lan-1", None),
        ("lan", "web.password.too_short"),
    ],
)
def test_new_password_rules(store: UserStore, new: str, key: str | None) -> None:
    first = store.add("Lan", ["can-bo"], by="root", origin="cli")
    if key is None:
        store.change_password("Lan", first, new, origin="x")
        return
    with pytest.raises(LoaxaError) as refused:
        store.change_password("Lan", first, new, origin="x")
    assert refused.value.key == key
    assert store.get("Lan").must_change


def test_password_equal_to_the_name_and_wrong_current_are_refused(store: UserStore) -> None:
    store.add("nguyenvanlan", ["can-bo"], by="root", origin="cli")
    first = store.reset("nguyenvanlan", by="root", origin="cli")
    with pytest.raises(LoaxaError) as same_as_name:
        store.change_password("nguyenvanlan", first, "NguyenVanLan", origin="x")
    assert same_as_name.value.key == "web.password.is_name"
    with pytest.raises(LoaxaError) as wrong:
        store.change_password("nguyenvanlan", "guess-guess", "mật khẩu riêng", origin="x")
    assert wrong.value.key == "web.password.wrong_current"


def test_every_change_is_in_the_audit_log(store: UserStore, tmp_path: Path) -> None:
    first = store.add("Minh", ["ky-thuat"], by="root", origin="cli")
    store.change_password("Minh", first, "mật khẩu của Minh", origin="192.168.1.20")
    store.add("Lan", ["can-bo"], by="Minh", origin="192.168.1.20")
    store.reset("Lan", by="Minh", origin="192.168.1.20")
    store.remove("Lan", by="Minh", origin="192.168.1.20")
    log = AuditLog(tmp_path / "web", HCM)
    (month,) = log.months()
    entries = list(reversed(log.read(month)))
    assert [(e["who"], e["action"], e.get("target"), e["from"]) for e in entries] == [
        ("root", "user.add", "Minh", "cli"),
        ("Minh", "user.password", "Minh", "192.168.1.20"),
        ("Minh", "user.add", "Lan", "192.168.1.20"),
        ("Minh", "user.reset", "Lan", "192.168.1.20"),
        ("Minh", "user.remove", "Lan", "192.168.1.20"),
    ]
    assert entries[0]["detail"] == {"roles": ["ky-thuat"]}
    assert all(e["at"].endswith("+07:00") for e in entries)
    path = log.path(month)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first not in path.read_text("utf-8")


def test_a_line_cut_by_a_power_cut_is_skipped_and_not_glued_to(tmp_path: Path) -> None:
    log = AuditLog(tmp_path, HCM)
    log.record("login", who="Lan", origin="10.0.0.7")
    (month,) = log.months()
    with log.path(month).open("ab") as handle:
        handle.write(b'{"at": "2026-03-0')  # the power went out here
    log.record("logout", who="Lan", origin="10.0.0.7")
    assert [e["action"] for e in log.read(month)] == ["logout", "login"]


def _add_many(folder: str, prefix: str) -> None:
    store = UserStore(Path(folder), HCM)
    for n in range(5):
        store.add(f"{prefix}{n}", ["can-bo"], by=prefix, origin="cli")


def test_two_processes_adding_at_once_lose_nobody(tmp_path: Path) -> None:
    """The panel and ``loaxa users add`` are two processes: the lock keeps both."""
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_add_many, args=(str(tmp_path / "web"), prefix))
        for prefix in ("web", "cli")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    names = {u.name for u in UserStore.for_data_dir(tmp_path, HCM).list()}
    assert names == {f"{p}{n}" for p in ("web", "cli") for n in range(5)}


def test_the_users_command(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """``loaxa users …`` as the technician types it on the box (through sudo)."""
    from firmware_host.cli import main

    monkeypatch.setenv("SUDO_USER", "pi")
    home = ["--data-dir", str(tmp_path)]

    def run(*argv: str) -> tuple[int, str, str]:
        code = main([*home, "users", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    assert run("list")[1].startswith("Chưa có tài khoản nào")
    code, out, _ = run("add", "Nguyễn Văn Minh", "--role", "ky-thuat", "--role", "can-bo")
    assert code == 0 and "Đã tạo tài khoản Nguyễn Văn Minh (Cán bộ, Kỹ thuật)" in out
    one_time = out.split("Mật khẩu dùng một lần: ")[1].split()[0]
    store = UserStore.for_data_dir(tmp_path, HCM)
    assert store.verify("nguyễn văn minh", one_time).must_change

    code, out, err = run("add", "Lan", "--role", "chu-tich")
    assert code == 1 and "Vai trò không hợp lệ: 'chu-tich'" in err and store.get("Lan") is None
    code, out, _ = run("list", "--json")
    (listed,) = json.loads(out)
    assert listed["roles"] == ["can-bo", "ky-thuat"] and listed["created_by"] == "pi"

    code, out, _ = run("reset", "Nguyễn Văn Minh")
    again = out.split("Mật khẩu dùng một lần: ")[1].split()[0]
    assert code == 0 and again != one_time and store.verify("Nguyễn Văn Minh", again)
    code, _, err = run("remove", "Nguyễn Văn Minh")  # the last technician stays
    assert code == 1 and "tài khoản kỹ thuật cuối cùng" in err
    run("add", "Lan", "--role", "can-bo")
    assert run("remove", "Lan")[0] == 0 and store.get("Lan") is None

    audit = store.audit.read(store.audit.months()[0])
    assert {(e["action"], e["who"], e["from"]) for e in audit} == {
        ("user.add", "pi", "cli"), ("user.reset", "pi", "cli"), ("user.remove", "pi", "cli")
    }  # fmt: skip
