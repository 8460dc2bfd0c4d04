"""Figure 6 — clip import: normalising a 3-minute MP3, ours vs the raw ffmpeg recipe.

Why: ``ClipLibrary.import_file`` does more than loudness-normalise (ffprobe first, so a
3-hour file is refused in a second; a sha256 of the original to refuse duplicates;
decode errors and truncation checked; a mono downmix before measuring; dither; fsync
and an atomic commit to the index). All of that must cost little next to the two
ffmpeg passes a technician would run by hand, or the officer waits at the box.

The source is speech-like (espeak-ng reading a Vietnamese announcement, looped to
3 minutes, stereo 44.1 kHz MP3 at 128 kb/s), because loudnorm's work depends on the
signal. Baseline, in the same run, on the same file: the standard two-pass recipe,

  ffmpeg -i in.mp3 -af loudnorm=I=-16:TP=-1.5:LRA=11:print_format=json -f null -
  ffmpeg -i in.mp3 -af loudnorm=...:measured_*=<pass 1>:linear=true \\
         -ar 48000 -ac 1 -c:a pcm_s16le out.wav

Our import's subprocesses are timed one by one (by wrapping ``transcode.run_pass`` and
``transcode.probe``), so a miss says whether ffmpeg or our Python costs the time.

Target: ours ≤ 1.2 × the raw recipe.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from _common import (
    TempRoot,
    alternate,
    make_box,
    median,
    number,
    parse_args,
    print_summary,
    print_table,
    row,
    run_quiet,
    speech_like,
    times,
    write_result,
)

TARGET_RATIO = 1.2
TARGETS = "I=-16:TP=-1.5:LRA=11"


def raw_two_pass(source: Path, target: Path) -> dict[str, float]:
    """The technician's recipe; returns the time of each pass."""
    start = time.perf_counter()
    ffmpeg = ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-i", str(source)]
    first = run_quiet([*ffmpeg, "-af", f"loudnorm={TARGETS}:print_format=json", "-f", "null", "-"])
    middle = time.perf_counter()
    found = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", first.stderr)
    if not found:
        raise RuntimeError("loudnorm printed no JSON")
    m = json.loads(found.group(0))
    measured = (
        f"measured_I={m['input_i']}:measured_TP={m['input_tp']}:measured_LRA={m['input_lra']}"
        f":measured_thresh={m['input_thresh']}:offset={m['target_offset']}:linear=true"
    )
    output = ["-ar", "48000", "-ac", "1", "-c:a", "pcm_s16le", str(target)]
    run_quiet([*ffmpeg, "-af", f"loudnorm={TARGETS}:{measured}", *output])
    end = time.perf_counter()
    return {"pass 1": middle - start, "pass 2": end - middle}


def instrument(stages: list[dict[str, float]]) -> None:
    """Time each ffprobe/ffmpeg call of an import (the last dict in *stages* collects):
    every one goes through ``clips.transcode`` (``probe`` and ``run_pass``)."""
    from firmware_host.clips import transcode

    original_run, original_probe = transcode.run_pass, transcode.probe

    def run(args, timeout, name, *progress):
        start = time.perf_counter()
        try:
            return original_run(args, timeout, name, *progress)
        finally:
            passes = sum(1 for key in stages[-1] if key.startswith("pass"))
            label = ("pass 1 (ffmpeg)", "pass 2 (ffmpeg)")[min(passes, 1)]
            if passes >= 2:
                label = f"check {passes - 1} (ffmpeg)"
            stages[-1][label] = stages[-1].get(label, 0.0) + time.perf_counter() - start

    def probe(ffprobe, source, name):
        start = time.perf_counter()
        try:
            return original_probe(ffprobe, source, name)
        finally:
            stages[-1]["ffprobe"] = time.perf_counter() - start

    transcode.run_pass, transcode.probe = run, probe


def main() -> None:
    from firmware_host.clips import ClipLibrary

    args = parse_args("Figure 6: import (normalise) a 3-minute MP3, ours vs raw ffmpeg two-pass.")
    seconds = 10.0 if args.smoke else 180.0
    repeat = 1 if args.smoke else 3
    stages: list[dict[str, float]] = []
    instrument(stages)
    with TempRoot(args, "import") as root:
        source = speech_like(root / f"Thông báo {seconds:.0f} giây.mp3", seconds)
        entries = ["-show_entries", "format=duration,bit_rate", "-of", "json"]
        probe = run_quiet(["ffprobe", "-v", "error", *entries, str(source)])
        print(f"source: {source.name}, {json.loads(probe.stdout)['format']}")
        runs = {"ours": 0, "raw": 0}
        raw_passes: list[dict[str, float]] = []

        def ours() -> float:
            runs["ours"] += 1
            box = make_box(root / f"box-{runs['ours']}")  # a fresh library: no duplicate
            stages.append({})
            start = time.perf_counter()
            ClipLibrary(box.config).import_file(source)
            total = time.perf_counter() - start
            stages[-1]["python (hash, checks, commit)"] = total - sum(stages[-1].values())
            return total

        def raw() -> float:
            runs["raw"] += 1
            passes = raw_two_pass(source, root / f"raw-{runs['raw']}.wav")
            raw_passes.append(passes)
            return sum(passes.values())

        samples = alternate({"ours": ours, "raw ffmpeg two-pass": raw}, repeat)
        stored = next((root / "box-1" / "clips").glob("*.wav"))
        sizes = {"ours": stored.stat().st_size, "raw": (root / "raw-1.wav").stat().st_size}
        work_dir = root

    ours_s, raw_s = median(samples["ours"]), median(samples["raw ffmpeg two-pass"])
    breakdown = {k: median(s[k] for s in stages if k in s) for k in stages[0]}
    raw_breakdown = {k: median(p[k] for p in raw_passes) for k in raw_passes[0]}
    print_table(
        f"Figure 6 — import of a {seconds:.0f} s MP3 (median of {repeat})",
        ["contender", "total", "stages (median)"],
        [
            [
                "ours (ClipLibrary.import_file)",
                number(ours_s, "s"),
                ", ".join(f"{k} {v:.2f} s" for k, v in breakdown.items()),
            ],
            [
                "raw ffmpeg two-pass",
                number(raw_s, "s"),
                ", ".join(f"{k} {v:.2f} s" for k, v in raw_breakdown.items()),
            ],
        ],
    )
    print(f"  output WAV: ours {sizes['ours']} bytes, raw {sizes['raw']} bytes")
    factor = ours_s / raw_s
    met = factor <= TARGET_RATIO
    note = ""
    if not met:
        note = "ours by stage: " + ", ".join(f"{k} {v:.2f} s" for k, v in breakdown.items())
    summary = [
        row(
            f"normalise {seconds:.0f} s MP3",
            ours_s,
            raw_s,
            "s",
            target=f"≤ {TARGET_RATIO}× raw",
            met=met,
            note=note,
        ),
        row("realtime factor (audio s per s)", seconds / ours_s, seconds / raw_s, "×"),
    ]
    print_summary("Figure 6 — summary (baseline = raw ffmpeg two-pass loudnorm)", summary)
    print(f"  ours ÷ raw = {times(factor)}")
    write_result(
        "clip_import",
        figure=6,
        title="Clip import vs raw ffmpeg two-pass loudnorm",
        args=args,
        summary=summary,
        details={
            "seconds": seconds,
            "repeat": repeat,
            "samples": samples,
            "ours_stages": stages,
            "raw_passes": raw_passes,
            "wav_bytes": sizes,
        },
        work_dir=work_dir,
    )


if __name__ == "__main__":
    main()
