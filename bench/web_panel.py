"""Figure 8 — the web panel: its memory idle and under load, and how fast its pages come.

Why: the panel shares a Pi Zero 2 W (512 MB) with the broadcast daemon; it must stay
small (RSS ≤ 60 MiB idle and under load) and answer a phone quickly (page p95 ≤ 300 ms
with 20 people browsing at once). We start the real ``loaxa web`` on
127.0.0.1 (a temp box, a free port), with a control socket answering like a daemon on
air (a few lines here: the benchmarks do not use tests/), log 20 accounts in (argon2
each), then 20 client threads with their own session and keep-alive connection walk
the pages (home, its live status, accounts, audit log) for 60 s (smoke: 3 s). RSS is
sampled every 0.25 s; VmHWM gives the peak since start, logins included. The panel runs
with the environment of its systemd unit: ``MALLOC_ARENA_MAX=2`` and a fixed
``MALLOC_MMAP_THRESHOLD_`` (without them, glibc keeps per-thread arenas and the 12 MiB of
each argon2 block: 57 MiB under load instead of 41, measured).

Baseline, in the same run and the same load: the panel's static CSS file, which goes
through the same server, headers and size check but no template, session or socket —
the ratio says what the pages themselves cost over the server's floor. For memory, a
bare interpreter, as in figure 2.

Not measured here yet: the broadcast's punctuality while the panel is under load, which
needs the daemon's control socket (phase 2 of issue 14).

Target: RSS ≤ 60 MiB idle and under load; page p95 ≤ 300 ms.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import (
    PYTHON,
    REPO,
    TempRoot,
    median,
    number,
    parse_args,
    percentile,
    print_summary,
    print_table,
    row,
    write_result,
)

TARGET_MIB = 60.0
TARGET_P95_MS = 300.0
CLIENTS = 20
PAGES = ("/", "/trang-thai", "/he-thong", "/he-thong/nhat-ky")
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
UNIT = REPO / "hardware" / "systemd" / "loaxa-web.service"
CONFIG = '[commune]\nname = "Xã Đo Thử"\nprovince = "Tỉnh Đo"\n'


def status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise ValueError(key)


def control_socket(path: Path) -> socket.socket:
    """Answers every request with a status of a box on air (the control API's shape)."""
    now = datetime.now(HCM).isoformat(timespec="seconds")
    status = {
        "ok": True, "version": "bench", "now": now,
        "clock": {"trusted": True, "reason": "NTP"},
        "on_air": {"session_id": "s", "campaign": "Chuyển đổi số", "slot": "sáng",
                   "tier": "thuong", "trigger": "schedule", "started": now,
                   "clip": {"id": "c", "title": "Tắt sóng 2G"}, "seconds": 12.0,
                   "zones": ["thon-1", "thon-2"]},
        "waiting": [],
        "next": [{"at": now, "campaign": "Chuyển đổi số", "slot": "chiều", "tier": "thuong",
                  "playlist": ["c"], "zones": ["thon-1"], "expected_seconds": 60.0}],
        "relays": {"amplifier": True, "thon-1": True, "thon-2": True, "thon-3": False},
        "disk": {"free_bytes": 10**10, "total_bytes": 1.5 * 10**10},
        "last_problems": [], "started_at": now,
        "schedules": {"files": 1, "refused": [], "last_good": []},
    }  # fmt: skip
    answer = json.dumps(status).encode() + b"\n"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(64)

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                try:
                    while not connection.recv(4096).endswith(b"\n"):
                        pass
                    connection.sendall(answer)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    return server


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


def start_panel(box: Path) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(
        [PYTHON, "-m", "firmware_host", "--data-dir", str(box), "web", "--host", "127.0.0.1",
         "--port", "0"],
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


def main() -> None:
    args = parse_args("Figure 8: the web panel's RSS idle and under load, page latency.")
    idle_seconds = 2.0 if args.smoke else 10.0
    load_seconds = 3.0 if args.smoke else 60.0
    with TempRoot(args, "web") as root:
        box = root / "box"
        box.mkdir()
        (box / "loaxa.toml").write_text(CONFIG, "utf-8")
        from firmware_host.config import load_config
        from firmware_host.web.users import UserStore

        store = UserStore.for_data_dir(box, load_config(box).timezone)
        accounts = []
        for n in range(CLIENTS):
            first = store.add(f"người {n}", ["can-bo", "ky-thuat"], by="bench", origin="cli")
            store.change_password(f"người {n}", first, f"mật khẩu số {n}", origin="bench")
            accounts.append((f"người {n}", f"mật khẩu số {n}"))
        daemon = control_socket(box / "control.sock")
        panel, port = start_panel(box)
        bare = subprocess.Popen([PYTHON, "-c", "import time; time.sleep(3600)"])
        try:
            time.sleep(1.0)
            idle, floor = [], []
            deadline = time.monotonic() + idle_seconds
            while time.monotonic() < deadline:
                idle.append(status_kib(panel.pid, "VmRSS") / 1024)
                floor.append(status_kib(bare.pid, "VmRSS") / 1024)
                time.sleep(0.25)
            print(f"idle RSS {median(idle):.1f} MiB; logging {CLIENTS} accounts in")

            sessions = []
            started = time.monotonic()
            for name, password in accounts:
                session = Session(port)
                session.log_in(name, password)
                sessions.append(session)
            login_seconds = (time.monotonic() - started) / CLIENTS
            after_logins = status_kib(panel.pid, "VmRSS") / 1024

            timings: dict[str, list[float]] = {path: [] for path in (*PAGES, "static")}
            failures: list[str] = []
            stop = threading.Event()

            def browse(session: Session, offset: int) -> None:
                step = offset
                while not stop.is_set():
                    path = PAGES[step % len(PAGES)] if step % 5 else "/static/panel.css"
                    began = time.perf_counter()
                    status, _ = session.request("GET", path)
                    spent = (time.perf_counter() - began) * 1000
                    if status != 200:
                        failures.append(f"{path}: {status}")
                    timings[path if step % 5 else "static"].append(spent)
                    step += 1

            loaded = []
            workers = [threading.Thread(target=browse, args=(s, n)) for n, s in enumerate(sessions)]
            for worker in workers:
                worker.start()
            deadline = time.monotonic() + load_seconds
            while time.monotonic() < deadline:
                loaded.append(status_kib(panel.pid, "VmRSS") / 1024)
                time.sleep(0.25)
            stop.set()
            for worker in workers:
                worker.join()
            high_water = status_kib(panel.pid, "VmHWM") / 1024
        finally:
            panel.send_signal(signal.SIGTERM)
            bare.kill()
            panel.wait(timeout=30)
            bare.wait()
            daemon.close()

    pages = [t for path in PAGES for t in timings[path]]
    requests = len(pages) + len(timings["static"])
    print_table(
        "Figure 8 — page times under load (ms)",
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
    idle_rss, loaded_rss = median(idle), max(loaded)
    p95 = percentile(pages, 95)
    summary = [
        row("idle RSS", idle_rss, median(floor), "MiB", target="≤ 60 MiB",
            met=idle_rss <= TARGET_MIB),
        row(f"RSS under load ({CLIENTS} clients), max", loaded_rss, median(floor), "MiB",
            target="≤ 60 MiB", met=loaded_rss <= TARGET_MIB),
        row("peak RSS since start (VmHWM, logins included)", high_water, None, "MiB"),
        row("RSS after 20 logins", after_logins, None, "MiB"),
        row("page p95 under load", p95, percentile(timings["static"], 95), "ms",
            target="≤ 300 ms", met=p95 <= TARGET_P95_MS,
            note=f"{requests / load_seconds:.0f} requests/s, {len(failures)} not 200"),
        row("page p50 under load", percentile(pages, 50),
            percentile(timings["static"], 50), "ms"),
        row("login (argon2 12 MiB, t=3), one at a time", login_seconds * 1000, None, "ms"),
    ]  # fmt: skip
    print_summary("Figure 8 — summary (baselines: bare interpreter; the static CSS)", summary)
    write_result(
        "web_panel",
        figure=8,
        title="The web panel: memory idle and under load, page times",
        args=args,
        summary=summary,
        details={
            "clients": CLIENTS,
            "load_seconds": load_seconds,
            "idle_rss": idle,
            "loaded_rss": loaded,
            "timings_ms": timings,
            "failures": failures[:50],
        },
        work_dir=root,
    )


if __name__ == "__main__":
    main()
