"""Figure 9 — an emergency while another session plays: how fast it takes the air.

Why: an emergency (TT 39/2020 *khẩn cấp*) is played at once. The session on air must be
cut the safe way — its clip stopped, amplifier off, zones switched while the amplifier
is off — and the emergency's own amplifier warm-up starts; the officer's order must
not wait for the log or the player. Measured on the real broadcaster (gpiozero mock
pins, aplay into the ALSA ``file`` device, the real TinyDB log), in-process.

Ours: the order is given 1.5 s into a 6 s normal clip; the time from the order to the
amplifier relay switching on again (after its cut-off), and to the emergency clip's
first audio handed to aplay (the clip entry's start, taken just before aplay starts),
of which the warm-up is a fixed part. Baseline, in the same run: the same emergency
given while the air is free (nothing to cut).

Targets: order → amplifier on ≤ 200 ms (p99) while another session plays; order →
first emergency audio ≤ warm-up + 200 ms (p99).
"""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime

from _common import (
    TempRoot,
    make_box,
    number,
    parse_args,
    percentile,
    print_summary,
    print_table,
    row,
    speech_like,
    write_result,
)

TARGET_MS = 200.0
WARMUP = 0.5


def main() -> None:
    args = parse_args("Figure 9: emergency while a session plays → amplifier on, first audio.")
    trials = 3 if args.smoke else 20
    from gpiozero.pins.mock import MockFactory

    from firmware_host.broadcast.session import Broadcaster, BroadcastRequest
    from firmware_host.clips import ClipLibrary
    from firmware_host.logbook.playlog import PlayLog
    from firmware_host.relays import AMPLIFIER, open_relays

    with TempRoot(args, "emergency") as root:
        box = make_box(root / "box", warmup=WARMUP, tail=0.1)
        os.environ.update(box.alsa_env)
        library = ClipLibrary(box.config)
        long = library.import_file(speech_like(root / "Dài.wav", 6.0))
        alarm = library.import_file(speech_like(root / "Còi.wav", 1.0))
        changes: list[tuple[float, str, bool]] = []
        relays, _note = open_relays(
            box.config.relays,
            pin_factory=MockFactory(),
            observer=lambda name, on: changes.append((time.monotonic(), name, on)),
        )
        log = PlayLog(box.config.log_dir, box.config.timezone)
        broadcaster = Broadcaster.for_box(box.config, relays=relays, library=library, log=log)
        emergency = BroadcastRequest(
            playlist=(alarm.id,),
            zones=tuple(box.config.relays.zones),
            tier="khan-cap",
            reason="đo thử",
        )
        measured: dict[str, dict[str, list[float]]] = {
            "cut": {"amp": [], "audio": []},
            "idle": {"amp": [], "audio": []},
        }
        try:
            for trial in range(trials):
                for case in ("cut", "idle") if trial % 2 else ("idle", "cut"):
                    normal = None
                    if case == "cut":
                        mark = len(log.entries())
                        normal = threading.Thread(
                            target=broadcaster.broadcast,
                            args=(BroadcastRequest(playlist=(long.id,), zones=("thon-1",)),),
                        )
                        normal.start()
                        while not any(
                            r["kind"] == "clip" and r["clip_id"] == long.id
                            for r in log.entries()[mark:]
                        ):
                            time.sleep(0.01)
                        time.sleep(1.5)
                    before = len(log.entries())
                    ordered = time.monotonic()
                    ordered_wall = datetime.now(box.config.timezone)
                    broadcaster.broadcast(emergency)
                    amp_on = next(
                        at for at, name, on in changes if name == AMPLIFIER and on and at > ordered
                    )
                    started = next(
                        datetime.fromisoformat(r["started"])
                        for r in log.entries()[before:]
                        if r["kind"] == "clip" and r["clip_id"] == alarm.id
                    )
                    measured[case]["amp"].append((amp_on - ordered) * 1000)
                    measured[case]["audio"].append(
                        (started - ordered_wall).total_seconds() * 1000
                    )
                    if normal is not None:
                        normal.join(10)
        finally:
            relays.close()
            log.close()

    def p99(case: str, what: str) -> float:
        return percentile(measured[case][what], 99)

    warm_ms = WARMUP * 1000
    print_table(
        "Figure 9 — emergency → air (ms), "
        f"{trials} trials each, warm-up {warm_ms:.0f} ms",
        ["case", "amp on p50", "amp on p99", "audio p50", "audio p99"],
        [
            [
                case,
                number(percentile(values["amp"], 50), "ms"),
                number(p99(case, "amp"), "ms"),
                number(percentile(values["audio"], 50), "ms"),
                number(p99(case, "audio"), "ms"),
            ]
            for case, values in measured.items()
        ],
    )
    summary = [
        row(
            "order → amplifier on, p99 (cutting a session)",
            p99("cut", "amp"),
            p99("idle", "amp"),
            "ms",
            target=f"≤ {TARGET_MS:.0f} ms",
            met=p99("cut", "amp") <= TARGET_MS,
        ),
        row(
            "order → first emergency audio, p99 (cutting)",
            p99("cut", "audio"),
            p99("idle", "audio"),
            "ms",
            target=f"≤ warm-up + {TARGET_MS:.0f} ms",
            met=p99("cut", "audio") <= warm_ms + TARGET_MS,
        ),
    ]
    print_summary("Figure 9 — summary (baseline = the same emergency on a free air)", summary)
    write_result(
        "emergency",
        figure=9,
        title="Emergency while a session plays",
        args=args,
        summary=summary,
        details={"trials": trials, "warmup_ms": warm_ms, "measured_ms": measured},
    )


if __name__ == "__main__":
    main()
