"""Figure 8 — the web panel: its memory idle and under load, how fast its pages come, and
whether a broadcast stays punctual while it is under load.

Why: the panel shares a Pi Zero 2 W (512 MB) with the broadcast daemon; it must stay
small (RSS ≤ 60 MiB idle and under load), answer a phone quickly (page p95 ≤ 300 ms with
20 people browsing at once), and never make a slot late. We start the real ``loaxa web``
on 127.0.0.1 (a temp box, a free port, the environment of its systemd unit) beside the
real daemon (figure 1's: ``Daemon`` in this process, mock pins, aplay into the ALSA
``file`` device, slots a few seconds apart), log 20 accounts in (argon2 each), then 20
client threads (another process, niced: the phones are not on the box) with their own
session and keep-alive connection walk every page (home, its live status — which asks
the daemon on its control socket — clips, campaigns, the 7-day plan, the log, accounts,
audit log) without pause around every other slot. RSS is sampled every 0.25 s; VmHWM
gives the peak since start, logins included. ``MALLOC_ARENA_MAX=2`` and a fixed
``MALLOC_MMAP_THRESHOLD_`` come from the unit (without them glibc keeps per-thread
arenas: 57 MiB under load instead of 41).

Baselines, in the same run: for punctuality, the other half of the slots of the same
daemon, aired while the phones are idle (figure 1's measure: first audio − (slot + warm-
up); interleaved, so the machine's other work weighs on both halves alike); for pages,
the panel's static CSS under the same load (the same server, headers and size check, no
template, session or socket); for memory, a bare interpreter, as in figure 2.

Target: RSS ≤ 60 MiB idle and under load; page p95 ≤ 300 ms; punctuality p99 within 20
ms of the slots aired while the phones are idle.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import re
import signal
import subprocess
import threading
import time
import urllib.parse
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from _common import (
    PYTHON,
    REPO,
    TempRoot,
    import_clips,
    make_box,
    median,
    number,
    parse_args,
    percentile,
    print_summary,
    print_table,
    row,
    write_result,
)
from punctuality import START_MARGIN, distribution, measure_daemon, slot_spacing, values

TARGET_MIB = 60.0
TARGET_P95_MS = 300.0
CLIENTS = 20
PAGES = (
    "/", "/trang-thai", "/bai-phat", "/lich-phat", "/lich-phat/7-ngay", "/nhat-ky",
    "/he-thong", "/he-thong/nhat-ky",
)  # fmt: skip
SLOTS = 20  # half of them under load: 10 × 7 s of browsing, the 60 s of the figure
SLOT_CLIP_SECONDS = 3.0
PUNCTUALITY_SLACK_MS = 20.0  # "unchanged": within the instrument's spread of figure 1
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
UNIT = REPO / "hardware" / "systemd" / "loaxa-web.service"


def status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise ValueError(key)


def unit_environment() -> dict[str, str]:
    """The environment ``loaxa-web.service`` gives the panel (its malloc settings above
    all), so the figure is that of the panel as installed; LOAXA_HOME aside."""
    env = dict(os.environ)
    for line in UNIT.read_text("utf-8").splitlines():
        if line.startswith("Environment="):
            name, _, value = line.removeprefix("Environment=").partition("=")
            if name != "LOAXA_HOME":
                env[name] = value
    return env


def unit_nice() -> int:
    """The unit's ``Nice=``: the panel yields the CPU to the daemon."""
    for line in UNIT.read_text("utf-8").splitlines():
        if line.startswith("Nice="):
            return int(line.removeprefix("Nice="))
    return 0


def start_panel(box: Path) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(
        ["nice", "-n", str(unit_nice()), PYTHON, "-m", "firmware_host", "--data-dir", str(box),
         "web", "--host", "127.0.0.1", "--port", "0"],
        cwd=REPO, env=unit_environment(), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    for line in proc.stderr:
        if match := re.search(r"serving on http://127\.0\.0\.1:(\d+)", line):
            threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep draining
            return proc, int(match.group(1))
    raise RuntimeError("the panel did not start")


class Session:
    """One phone: its cookies and one keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):  # the server closed it: once more
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def log_in(self, name: str, password: str) -> None:
        _status, page = self.request("GET", "/dang-nhap")
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        status, _ = self.request(
            "POST", "/dang-nhap", {"csrf": token, "name": name, "password": password}
        )
        assert status == 303, status


def load(
    port: int, accounts: list[tuple[str, str]], windows: list[tuple[float, float]], pid: int
) -> dict:
    """20 logged-in phones walking the pages without pause inside each of *windows*
    (wall-clock start, end) and idle between them; the panel's RSS sampled every 0.25 s
    until the last window ends."""
    sessions = []
    started = time.monotonic()
    for name, password in accounts:
        session = Session(port)
        session.log_in(name, password)
        sessions.append(session)
    login_seconds = (time.monotonic() - started) / len(accounts)
    after_logins = status_kib(pid, "VmRSS") / 1024
    timings: dict[str, list[float]] = {path: [] for path in (*PAGES, "static")}
    failures: list[str] = []
    stop = threading.Event()

    def browsing() -> bool:
        now = time.time()
        return any(start <= now < end for start, end in windows)

    def browse(session: Session, offset: int) -> None:
        step = offset
        while not stop.is_set():
            if not browsing():
                time.sleep(0.05)
                continue
            path = PAGES[step % len(PAGES)] if step % 5 else "/static/panel.css"
            began = time.perf_counter()
            status, _ = session.request("GET", path)
            spent = (time.perf_counter() - began) * 1000
            if status != 200:
                failures.append(f"{path}: {status}")
            timings[path if step % 5 else "static"].append(spent)
            step += 1

    loaded: list[float] = []
    workers = [threading.Thread(target=browse, args=(s, n)) for n, s in enumerate(sessions)]
    for worker in workers:
        worker.start()
    while time.time() < windows[-1][1]:
        loaded.append(status_kib(pid, "VmRSS") / 1024)
        time.sleep(0.25)
    stop.set()
    for worker in workers:
        worker.join()
    return {
        "timings": timings, "failures": failures, "loaded": loaded,
        "login_seconds": login_seconds, "after_logins": after_logins,
    }  # fmt: skip


def load_into(results: Any, *arguments: Any) -> None:
    """:func:`load` in a process of its own, its figures sent back on *results*. The
    phones are not on the box: their process yields the CPU (nice 19) to the box's own."""
    os.nice(19)
    results.put(load(*arguments))


def box_with_clip(root: Path, name: str) -> tuple[Any, Any]:
    """A box as in figure 1 (shipped warm-up, mock pins, the capture device), one clip,
    and the panel's accounts."""
    box = make_box(root / name)
    clip = import_clips(box, root / f"{name}-sources", [SLOT_CLIP_SECONDS])[0]
    return box, clip


def main() -> None:
    args = parse_args(
        "Figure 8: the web panel's RSS idle and under load, page latency, and the "
        "punctuality of a broadcast while it is under load."
    )
    idle_seconds = 2.0 if args.smoke else 10.0
    slots = 4 if args.smoke else SLOTS
    with TempRoot(args, "web") as root:
        box, clip = box_with_clip(root, "box")
        from firmware_host.web.users import UserStore

        store = UserStore.for_data_dir(box.data_dir, box.config.timezone)
        accounts = []
        for n in range(CLIENTS):
            first = store.add(f"người {n}", ["can-bo", "ky-thuat"], by="bench", origin="cli")
            store.change_password(f"người {n}", first, f"mật khẩu số {n}", origin="bench")
            accounts.append((f"người {n}", f"mật khẩu số {n}"))
        write_campaign(box)
        panel, port = start_panel(box.data_dir)
        bare = subprocess.Popen([PYTHON, "-c", "import time; time.sleep(3600)"])
        try:
            time.sleep(1.0)
            idle, floor = [], []
            deadline = time.monotonic() + idle_seconds
            while time.monotonic() < deadline:
                idle.append(status_kib(panel.pid, "VmRSS") / 1024)
                floor.append(status_kib(bare.pid, "VmRSS") / 1024)
                time.sleep(0.25)
            # The slots, and the phones browsing around every other one: the two halves
            # of one run of one daemon are compared, so the machine's other work of the
            # moment weighs on both alike. The daemon runs in this process and answers
            # the panel on its control socket, as on a box.
            spacing = slot_spacing(box, clip)
            first_slot = datetime.now(box.config.timezone).replace(microsecond=0)
            first_slot += timedelta(seconds=START_MARGIN + 2 * len(accounts) * 0.1)
            times = [first_slot.timestamp() + n * spacing for n in range(slots)]
            windows = [(at - 2.0, at + spacing - 2.0) for at in times[1::2]]
            print(f"idle RSS {median(idle):.1f} MiB; {CLIENTS} phones browse around "
                  f"every other slot of {slots}")  # fmt: skip
            # The phones are another process: in this one they would take the daemon's
            # GIL, which no phone can do on a box.
            context = multiprocessing.get_context("spawn")
            results = context.Queue()
            loader = context.Process(
                target=load_into, args=(results, port, accounts, windows, panel.pid)
            )
            loader.start()
            busy = measure_daemon(box, clip, slots, first=first_slot)
            found = results.get(timeout=120)
            loader.join()
            high_water = status_kib(panel.pid, "VmHWM") / 1024
        finally:
            panel.send_signal(signal.SIGTERM)
            bare.kill()
            panel.wait(timeout=30)
            bare.wait()
    seconds = len(windows) * spacing
    quiet = {"per_slot": busy["per_slot"][0::2]}
    loaded = {"per_slot": busy["per_slot"][1::2]}

    timings, failures = found["timings"], found["failures"]
    pages = [t for path in PAGES for t in timings[path]]
    requests = len(pages) + len(timings["static"])
    print_table(
        "Figure 8 — page times under load, a broadcast playing (ms)",
        ["page", "requests", "p50", "p95", "max"],
        [
            [path, len(timings[path]), number(percentile(timings[path], 50)),
             number(percentile(timings[path], 95)), number(max(timings[path]))]
            for path in (*PAGES, "static")
            if timings[path]
        ],
    )  # fmt: skip
    if failures:
        print(f"  ! {len(failures)} answers were not 200, e.g. {failures[:3]}")
    late_alone = values(quiet["per_slot"], "first_audio")
    late_busy = values(loaded["per_slot"], "first_audio")
    half = slots // 2
    print_table(
        f"Figure 8 — punctuality over {slots} slots, every other one under load "
        f"(warm-up {busy['warmup']} s)",
        ["measure", "n", "min", "median", "p90", "p99", "max"],
        [
            distribution("phones idle: slot → amplifier on", values(quiet["per_slot"], "amp_on"),
                         half),
            distribution("phones browsing: slot → amplifier on",
                         values(loaded["per_slot"], "amp_on"), half),
            distribution("phones idle: first audio − (slot+warm-up)", late_alone, half),
            distribution("phones browsing: first audio − (slot+warm-up)", late_busy, half),
        ],
    )  # fmt: skip
    idle_rss, loaded_rss = median(idle), max(found["loaded"])
    p95 = percentile(pages, 95)
    p99_alone = percentile(late_alone, 99) * 1000 if late_alone else None
    p99_busy = percentile(late_busy, 99) * 1000 if late_busy else None
    same = (
        p99_alone is not None
        and p99_busy is not None
        and len(late_busy) == half
        and p99_busy <= p99_alone + PUNCTUALITY_SLACK_MS
    )
    summary = [
        row("idle RSS", idle_rss, median(floor), "MiB", target="≤ 60 MiB",
            met=idle_rss <= TARGET_MIB),
        row(f"RSS under load ({CLIENTS} clients), max", loaded_rss, median(floor), "MiB",
            target="≤ 60 MiB", met=loaded_rss <= TARGET_MIB),
        row("peak RSS since start (VmHWM, logins included)", high_water, None, "MiB"),
        row("RSS after 20 logins", found["after_logins"], None, "MiB"),
        row("page p95 under load", p95, percentile(timings["static"], 95), "ms",
            target="≤ 300 ms", met=p95 <= TARGET_P95_MS,
            note=f"{requests / seconds:.0f} requests/s, {len(failures)} not 200"),
        row("page p50 under load", percentile(pages, 50),
            percentile(timings["static"], 50), "ms"),
        row("punctuality p99 (first audio − slot − warm-up), phones browsing",
            p99_busy, p99_alone, "ms", target=f"≤ alone + {PUNCTUALITY_SLACK_MS:g} ms",
            met=same, note=f"sessions: {', '.join(sorted(set(busy['session_statuses'])))}"),
        row("login (argon2 12 MiB, t=3), one at a time", found["login_seconds"] * 1000, None,
            "ms"),
    ]  # fmt: skip
    print_summary(
        "Figure 8 — summary (baselines: bare interpreter; the static CSS; the slots while "
        "the phones are idle)",
        summary,
    )
    write_result(
        "web_panel",
        figure=8,
        title="The web panel: memory idle and under load, page times, punctuality meanwhile",
        args=args,
        summary=summary,
        details={
            "clients": CLIENTS,
            "load_seconds": seconds,
            "idle_rss": idle,
            "loaded_rss": found["loaded"],
            "timings_ms": timings,
            "failures": failures[:50],
            "punctuality_phones_idle": quiet["per_slot"],
            "punctuality_phones_browsing": loaded["per_slot"],
        },
        work_dir=root,
    )


def write_campaign(box: Any) -> None:
    """A campaign file for the pages that list and plan campaigns (not the timed one)."""
    folder = box.config.scheduler.schedules_dir
    folder.mkdir(parents=True, exist_ok=True)
    today = datetime.now(HCM).date()
    (folder / "tuan-le.toml").write_text(
        f'[campaign]\nname = "Tuần lễ chuyển đổi số"\nstart = {today}\n'
        f"end = {today + timedelta(days=30)}\n\n"
        '[[slot]]\nname = "tối"\ntime = "23:59"\ndays = "T7"\n'
        'playlist = ["khong-co-bai-nay"]\nzones = "tất cả"\n',
        "utf-8",
    )


if __name__ == "__main__":
    main()
