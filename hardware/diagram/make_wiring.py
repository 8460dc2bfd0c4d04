"""Draw ``hardware/wiring.svg``, the Loa Xã wiring diagram, as plain SVG text.

    python hardware/diagram/make_wiring.py [OUT.svg]
    rsvg-convert -w 1700 hardware/wiring.svg -o hardware/wiring.png   # optional picture

No dependency beyond Python. The relay pins are read from
``firmware_host/defaults/loaxa.toml``, so the picture follows the software's defaults;
the sense-input and front-panel pins are the suggested ones of ``hardware/README.md``.
The layout is hand-placed on a grid so that no two wires cross.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULTS = REPO / "firmware_host" / "defaults" / "loaxa.toml"
OUT = HERE.parent / "wiring.svg"

# BCM GPIO -> physical pin on the 40-pin header.
HEADER_PIN = {
    2: 3,
    3: 5,
    4: 7,
    5: 29,
    6: 31,
    7: 26,
    8: 24,
    9: 21,
    10: 19,
    11: 23,
    12: 32,
    13: 33,
    14: 8,
    15: 10,
    16: 36,
    17: 11,
    18: 12,
    19: 35,
    20: 38,
    21: 40,
    22: 15,
    23: 16,
    24: 18,
    25: 22,
    26: 37,
    27: 13,
}
# Suggested pins of the optional parts (hardware/README.md).
SENSE_AMP_POWER, SENSE_SPEAKER_LINE = 5, 6
LED, BUTTON_STOP, BUTTON_EMERGENCY, BUTTON_EXPORT = 24, 16, 20, 21

W, H = 1700, 1240
FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"
# Wire colours (legend at the bottom right).
L_MAINS = "#8c4a1c"  # line (phase): brown
N_MAINS = "#1f5fbf"  # neutral: blue
PE = "#2e9e3a"  # protective earth: green
SPK = "#f07800"  # 100 V speaker line
SPK0 = "#8a6d00"  # speaker line common (0 V)
GPIO = "#7b3fa0"  # GPIO signals
V33 = "#d62728"  # 3.3 V
V5 = "#d4a000"  # 5 V
GND = "#222222"
AUDIO = "#0f9fb0"  # line-level audio
BARRIER = 800  # x of the isolation barrier


class Svg:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, element: str) -> None:
        self.parts.append(element)

    def text(self, x, y, s, size=13, anchor="start", weight="normal", fill="#111", **kw):
        style = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in kw.items())
        self.add(
            f'<text x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}"{style}>{escape(s)}</text>'
        )

    def lines(self, x, y, rows, size=13, gap=None, **kw):
        for i, row in enumerate(rows):
            self.text(x, y + i * (gap or size + 4), row, size=size, **kw)

    def box(self, x, y, w, h, title, subtitle="", fill="#f4f4f4", stroke="#333", top=20):
        self.add(
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="2"/>'
        )
        self.text(x + w / 2, y + top, title, size=14, anchor="middle", weight="bold")
        if subtitle:
            self.text(x + w / 2, y + top + 17, subtitle, size=12, anchor="middle", fill="#444")

    def wire(self, points, color, width=2.5, dash=""):
        d = " ".join(f"{'M' if i == 0 else 'L'}{x},{y}" for i, (x, y) in enumerate(points))
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(
            f'<path d="{d}" fill="none" stroke="{color}" stroke-width="{width}" '
            f'stroke-linejoin="round"{extra}/>'
        )

    def terminal(self, x, y, label="", side="left", color="#111", size=11):
        """A screw terminal; *side* is where the label goes, inside the part."""
        self.add(f'<circle cx="{x}" cy="{y}" r="4" fill="#fff" stroke="#111" stroke-width="1.5"/>')
        if label:
            dx, anchor = {"left": (-8, "end"), "right": (8, "start")}.get(side, (0, "middle"))
            dy = {"up": -8, "down": 16}.get(side, 4)
            self.text(x + dx, y + dy, label, size=size, anchor=anchor, fill=color)

    def dot(self, x, y, color="#111"):
        self.add(f'<circle cx="{x}" cy="{y}" r="4.5" fill="{color}"/>')

    def tag(self, x, y, name, color):
        """An off-sheet connection: the wire continues at the other tag of that name."""
        self.add(
            f'<circle cx="{x}" cy="{y}" r="13" fill="#fff" stroke="{color}" stroke-width="2"/>'
        )
        self.text(x, y + 4, name, size=10, anchor="middle", weight="bold", fill=color)

    def fuse(self, x, y, name, vertical=False):
        w, h = (12, 30) if vertical else (30, 12)
        self.add(
            f'<rect x="{x - w / 2}" y="{y - h / 2}" width="{w}" height="{h}" fill="#fff" '
            f'stroke="#111" stroke-width="1.5"/>'
        )
        self.text(
            x + (12 if vertical else 0),
            y + (4 if vertical else -12),
            name,
            size=11,
            anchor="start" if vertical else "middle",
            weight="bold",
        )

    def render(self) -> str:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
            f'viewBox="0 0 {W} {H}" font-family="{FONT}">\n'
            f'<rect width="{W}" height="{H}" fill="#ffffff"/>\n'
        )
        return head + "\n".join(self.parts) + "\n</svg>\n"


def pin(gpio: int) -> str:
    return f"GPIO{gpio} (chân/pin {HEADER_PIN[gpio]})"


def relay_pins() -> tuple[int, list[tuple[str, int]]]:
    relays = tomllib.loads(DEFAULTS.read_text("utf-8"))["relays"]
    zones = list(relays["zones"].items())
    if len(zones) != 3:
        raise SystemExit("the drawing has room for 3 zones on a 4-channel board")
    return relays["amplifier"], zones


def draw() -> str:
    amp_pin, zones = relay_pins()
    s = Svg()

    # -- title, barrier -------------------------------------------------------------------
    s.text(40, 38, "Loa Xã — sơ đồ đấu dây / wiring diagram", size=24, weight="bold")
    s.text(
        40,
        62,
        "Số chân GPIO theo BCM, mặc định của loaxa.toml / BCM GPIO numbers, "
        "loaxa.toml defaults. ● = điểm nối / junction. S1a…S2b: dây nối tới nhãn cùng tên / "
        "the wire continues at the tag of the same name.",
        size=13,
        fill="#444",
    )
    s.wire([(BARRIER, 80), (BARRIER, 960)], "#c00", width=2, dash="10 6")
    s.text(
        BARRIER - 10,
        96,
        "◄ điện áp thấp / low voltage (3,3 V, 5 V)",
        size=13,
        anchor="end",
        weight="bold",
        fill="#555",
    )
    s.text(
        BARRIER + 10,
        96,
        "220 V AC / 100 V — NGUY HIỂM / DANGER ►",
        size=13,
        weight="bold",
        fill="#c00",
    )

    # -- power supplies ---------------------------------------------------------------------
    for x, w, title, subtitle in (
        (40, 230, "Nguồn 5 V 3 A cho Pi", "5 V 3 A PSU for the Pi"),
        (380, 260, "Nguồn 5 V 1 A riêng", "separate 5 V for the relay coils"),
    ):
        s.box(x, 110, w, 76, title, subtitle)
        s.text(
            x + w / 2,
            174,
            "230 V vào qua cầu chì / 230 V in via a fuse",
            size=10,
            anchor="middle",
            fill="#666",
        )

    # -- Raspberry Pi ---------------------------------------------------------------------
    s.box(
        40,
        250,
        290,
        570,
        "Raspberry Pi",
        "Zero 2 W / 3B+ · đầu cắm 40 chân / 40-pin",
        fill="#e9f5e9",
    )
    s.terminal(120, 250)
    s.text(128, 240, "nguồn / power (micro-USB)", size=11)
    s.wire([(120, 186), (120, 246)], V5, width=3)
    right = [  # (y, label inside the Pi, colour, destination)
        (310, "3V3 (chân/pin 1)", V33),
        (335, "GND (chân/pin 6)", GND),
        (370, pin(amp_pin), GPIO),
        *[(400 + 30 * i, pin(p), GPIO) for i, (_, p) in enumerate(zones)],
        (615, "3V3 (chân/pin 17)", V33),
        (640, "GND (chân/pin 14)", GND),
        (665, pin(SENSE_AMP_POWER), GPIO),
        (690, pin(SENSE_SPEAKER_LINE), GPIO),
        (760, "cổng USB / USB port", "#111"),
    ]
    for y, label, color in right:
        s.terminal(330, y, label, side="left", color=color)

    # -- relay board (straddles the barrier: opto-isolated) --------------------------------
    s.box(700, 200, 200, 360, "Bo rơ-le 4 kênh", "4-ch opto relay board", fill="#eef2fb")
    s.lines(
        690,
        212,
        ["THÁO jumper JD-VCC!", "REMOVE the JD-VCC jumper"],
        size=11,
        fill="#c00",
        weight="bold",
        anchor="end",
        gap=14,
    )
    inputs = [
        (240, "JD-VCC", V5),
        (265, "GND", GND),
        (310, "VCC", V33),
        (335, "GND", GND),
        (370, "IN1", GPIO),
        (400, "IN2", GPIO),
        (430, "IN3", GPIO),
        (460, "IN4", GPIO),
    ]
    for y, label, color in inputs:
        s.terminal(700, y, label, side="right", color=color)
    for i, (name, _) in enumerate([("amp", 0), *zones]):
        label = "K1: âm ly / amp" if i == 0 else f"K{i + 1}: {name}"
        s.add(
            f'<rect x="760" y="{322 + 34 * i}" width="22" height="22" fill="#fff" stroke="#555"/>'
        )
        s.text(773, 338 + 34 * i, f"K{i + 1}", size=9, anchor="middle")
        s.text(760, 474 + 16 * i, label, size=10, fill="#333")
    s.lines(
        712, 534, ["đa số bo kích mức thấp:", "active_high = false"], size=10, fill="#333", gap=13
    )
    outputs = [
        (250, "K1 COM", L_MAINS),
        (290, "K1 NO", L_MAINS),
        *[(360 + 30 * i, f"K{i + 2} COM", SPK) for i in range(3)],
        *[(470 + 30 * i, f"K{i + 2} NO", SPK) for i in range(3)],
    ]
    for y, label, color in outputs:
        s.terminal(900, y, label, side="left", color=color)

    # relay PSU -> JD-VCC / GND (coil side); Pi -> VCC, GND, IN1..IN4 (opto side)
    s.wire([(430, 186), (430, 240), (696, 240)], V5, width=3)
    s.wire([(460, 186), (460, 265), (696, 265)], GND, width=3)
    for y, _, color in right[:6]:
        s.wire([(334, y), (696, y)], color)
    s.text(520, 364, f"{pin(amp_pin)} → IN1: âm ly / amp", size=11, anchor="middle", fill=GPIO)
    for i, (name, _) in enumerate(zones):
        s.text(520, 394 + 30 * i, f"→ IN{i + 2}: {name}", size=11, anchor="middle", fill=GPIO)

    # -- mains, fuses, contactor, amplifier ------------------------------------------------
    s.box(
        1300,
        110,
        360,
        70,
        "Lưới điện 220 V AC (qua CB)",
        "mains 220 V AC (from the MCB)",
        fill="#fdeeee",
        stroke="#c00",
    )
    s.terminal(1300, 125, "L", side="right")
    s.terminal(1300, 160, "N", side="right")
    s.terminal(1400, 180, "PE", side="up")
    s.wire([(1296, 125), (940, 125), (940, 250), (904, 250)], L_MAINS, width=3)
    s.fuse(1250, 125, "F1")
    s.fuse(940, 200, "F2 1 A", vertical=True)
    s.dot(1110, 125, L_MAINS)
    s.wire([(1110, 125), (1110, 226)], L_MAINS, width=3)
    s.wire([(1296, 160), (1160, 160), (1160, 226)], N_MAINS, width=3)
    s.dot(1210, 160, N_MAINS)
    s.wire([(1210, 160), (1210, 226)], N_MAINS, width=3)
    s.wire([(904, 290), (1000, 290), (1000, 200), (1060, 200), (1060, 226)], L_MAINS, width=3)
    s.text(1005, 285, "→ A1", size=11, fill=L_MAINS)

    s.box(
        1030,
        230,
        220,
        150,
        "Công-tắc-tơ KM",
        "contactor 2P 25 A, coil 220 V",
        fill="#fff7e6",
        top=44,
    )
    for x, label in ((1060, "A1"), (1110, "1/L1"), (1160, "A2"), (1210, "3/L2")):
        s.terminal(x, 230, label, side="down", size=10)
    for x, label in ((1110, "2/T1"), (1210, "4/T2")):
        s.terminal(x, 380, label, side="up", size=10)
    s.lines(
        1044,
        308,
        ["cuộn hút A1–A2: hút khi K1 đóng", "coil A1–A2: on while K1 is on"],
        size=10,
        fill="#444",
    )
    s.lines(
        1044,
        340,
        ["tiếp điểm chính: nguồn âm ly", "main contacts: the amp's mains"],
        size=10,
        fill="#444",
    )
    s.wire([(1110, 384), (1110, 436)], L_MAINS, width=3)
    s.wire([(1210, 384), (1210, 436)], N_MAINS, width=3)
    s.wire([(1400, 184), (1400, 436)], PE, width=3, dash="8 4")
    s.dot(1110, 410, L_MAINS)
    s.dot(1210, 410, N_MAINS)
    s.wire([(1110, 410), (1124, 410)], L_MAINS, width=2)
    s.wire([(1210, 410), (1196, 410)], N_MAINS, width=2)
    s.tag(1138, 410, "S1a", "#555")
    s.tag(1182, 410, "S1b", "#555")

    s.box(
        1080,
        440,
        370,
        200,
        "Âm ly truyền thanh",
        "PA amplifier (100 V line output)",
        fill="#fff3e0",
        top=50,
    )
    for x, label in ((1110, "L"), (1210, "N"), (1400, "PE")):
        s.terminal(x, 440, label, side="down", size=11)
    s.terminal(1080, 480, "100 V", side="right", color=SPK)
    s.terminal(1420, 640, "COM / 0 V", side="up", color=SPK0)
    s.terminal(1450, 560, "LINE IN", side="left", color=AUDIO)
    s.lines(
        1440,
        582,
        ["đầu vào LINE/AUX, không dùng MIC", "LINE/AUX input, not MIC"],
        size=11,
        fill="#444",
        anchor="end",
    )

    # 100 V feed to the zone relays' COMs (bridged), NO contacts to the villages
    s.wire([(1076, 480), (1035, 480), (1035, 390), (930, 390)], SPK, width=3.5)
    s.wire([(904, 360), (930, 360), (930, 420), (904, 420)], SPK, width=3.5)
    s.wire([(904, 390), (930, 390)], SPK, width=3.5)
    s.dot(930, 390, SPK)
    s.dot(1058, 480, SPK)
    s.wire([(1058, 480), (1058, 455)], SPK, width=2)
    s.tag(1058, 442, "S2a", "#555")
    speakers = [(700 + 80 * i, 1000 - 20 * i, name) for i, (name, _) in enumerate(zones)]
    for i, (y, x_down, name) in enumerate(speakers):
        s.wire(
            [(904, 470 + 30 * i), (x_down, 470 + 30 * i), (x_down, y), (1196, y)], SPK, width=3.5
        )
        s.box(1200, y - 28, 170, 56, f"Loa {name}", f"speakers, zone {name}", fill="#fff")
        s.terminal(1200, y, "", side="right")
        s.terminal(1370, y, "", side="left")
        s.wire([(1374, y), (1420, y)], SPK0, width=3)
        if i < len(speakers) - 1:
            s.dot(1420, y, SPK0)
    s.wire([(1420, 644), (1420, speakers[-1][0])], SPK0, width=3)
    s.dot(1420, 658, SPK0)
    s.wire([(1420, 658), (1406, 658)], SPK0, width=2)
    s.tag(1393, 658, "S2b", "#555")
    s.text(1430, 680, "0 V chung / common", size=11, fill=SPK0)

    # -- sense inputs (opto module straddles the barrier) ---------------------------------
    s.box(700, 590, 200, 175, "Mô-đun vào cách ly", "opto input module", fill="#eef2fb")
    for y, label, color in (
        (615, "VCC", V33),
        (640, "GND", GND),
        (665, "OUT1", GPIO),
        (690, "OUT2", GPIO),
    ):
        s.terminal(700, y, label, side="right", color=color)
    for y, name in ((640, "S1a"), (666, "S1b"), (696, "S2a"), (722, "S2b")):
        s.terminal(900, y, f"IN{name[1]}", side="left", size=10)
        s.wire([(904, y), (912, y)], "#555", width=2)
        s.tag(925, y, name, "#555")
    for y, _, color in right[6:10]:
        s.wire([(334, y), (696, y)], color)
    s.text(520, 660, "← báo nguồn âm ly / amp power sense", size=11, anchor="middle", fill=GPIO)
    s.text(
        520,
        712,
        "← báo có tiếng trên dây loa / speaker-line sense",
        size=11,
        anchor="middle",
        fill=GPIO,
    )
    s.lines(
        712,
        745,
        ["IN1 (S1a–S1b): 220 V sau KM", "IN2 (S2a–S2b): 100 V ra loa"],
        size=10,
        fill="#333",
        gap=13,
    )

    # -- USB sound card -> amplifier line input ------------------------------------------
    s.box(420, 730, 200, 60, "Card âm thanh USB", "USB sound card (CM108)", fill="#e6f7f9")
    s.wire([(334, 760), (416, 760)], "#111", width=3)
    s.wire(
        [(620, 760), (680, 760), (680, 930), (1620, 930), (1620, 560), (1454, 560)], AUDIO, width=3
    )
    s.text(
        690, 924, "dây 3,5 mm → RCA/6,35 mm, mức line / line-level audio cable", size=11, fill=AUDIO
    )

    # -- front panel -------------------------------------------------------------------------
    s.box(
        40,
        900,
        610,
        250,
        "Mặt trước / front panel",
        "nút nối xuống GND, kéo lên trong Pi; buttons to GND, internal pull-ups",
        fill="#f6f0fa",
        top=222,
    )
    # Pins on the Pi's bottom edge fan out to the parts; the rightmost turns first, so
    # no two wires cross.
    panel = [
        (70, 95, LED, "Đèn báo", "status LED"),
        (130, 225, BUTTON_STOP, "Dừng ngay", "stop now"),
        (190, 355, BUTTON_EMERGENCY, "Phát khẩn cấp", "emergency clip"),
        (250, 485, BUTTON_EXPORT, "Xuất ra USB", "export to USB"),
    ]
    for i, (p, x, gpio, vi, en) in enumerate(panel):
        turn = 880 - 12 * i
        s.terminal(p, 820, "", side="up")
        s.wire([(p, 824), (p, turn), (x, turn), (x, 950)], GPIO)
        s.text(x + 30, 966, vi, size=12, weight="bold")
        s.text(x + 30, 981, en, size=11, fill="#444")
        s.text(x + 30, 997, f"GPIO{gpio}", size=11, fill=GPIO, weight="bold")
        s.text(x + 30, 1011, f"chân/pin {HEADER_PIN[gpio]}", size=10, fill=GPIO)
        if gpio == LED:
            s.add(
                f'<rect x="{x - 7}" y="950" width="14" height="30" fill="#fff" '
                f'stroke="#111" stroke-width="1.5"/>'
            )
            s.text(x - 10, 970, "330 Ω", size=10, anchor="end")
            s.wire([(x, 980), (x, 1000)], GPIO)
            s.add(
                f'<path d="M{x - 10},1000 L{x + 10},1000 L{x},1018 Z" fill="#ffd400" '
                f'stroke="#111" stroke-width="1.5"/>'
            )
            s.wire([(x - 10, 1018), (x + 10, 1018)], GND, width=2)
            s.wire([(x, 1018), (x, 1090)], GND)
        else:
            s.add(
                f'<circle cx="{x}" cy="954" r="4" fill="#fff" stroke="#111"/>'
                f'<circle cx="{x}" cy="984" r="4" fill="#fff" stroke="#111"/>'
                f'<path d="M{x + 12},950 L{x + 12},988 M{x + 12},969 L{x + 24},969" '
                f'stroke="#111" stroke-width="2" fill="none"/>'
            )
            s.wire([(x, 988), (x, 1090)], GND)
        s.dot(x, 1090)
    s.terminal(310, 820, "", side="up")
    s.wire(
        [
            (310, 824),
            (310, 880 - 12 * len(panel)),
            (620, 880 - 12 * len(panel)),
            (620, 1090),
            (95, 1090),
        ],
        GND,
    )
    s.text(465, 827, "GND (chân/pin 39)", size=10, anchor="middle")
    s.text(60, 1106, "GND chung / common ground", size=11, fill="#444")

    # -- notes and legend ---------------------------------------------------------------------
    notes = [
        (
            "1. Chỉ dùng tiếp điểm thường mở (NO): Pi tắt, treo, mất điện → rơ-le nhả → loa im.",
            "Normally-open contacts only: a dead Pi means silence, never a stuck-on amplifier.",
        ),
        (
            "2. Rơ-le nhỏ chỉ đóng cuộn hút KM (~10 VA), không bao giờ đóng thẳng nguồn âm ly.",
            "The small relay only switches the contactor coil, never the amplifier's mains.",
        ),
        (
            "3. Vùng loa chỉ chuyển khi âm ly đã tắt (phần mềm bảo đảm thứ tự).",
            "Zone relays switch only while the amplifier is off (the software keeps the order).",
        ),
        (
            "4. VCC = 3,3 V của Pi; JD-VCC = nguồn 5 V riêng: cuộn rơ-le cách ly hẳn với Pi.",
            "VCC from the Pi's 3.3 V, JD-VCC from a separate 5 V: coils isolated from the Pi.",
        ),
        (
            "5. Phần 220 V do thợ điện có chuyên môn đấu; F1 theo dòng âm ly, F2 = 1 A.",
            "Mains work by a qualified electrician; F1 sized for the amplifier, F2 = 1 A (coil).",
        ),
        (
            "6. Bo kích mức thấp (đa số bo rẻ): active_high = false trong /etc/loaxa/loaxa.toml.",
            "Active-low boards (most cheap ones): set active_high = false.",
        ),
        (
            "7. Âm ly kêu ù: lắp bộ cách ly mass (ground-loop isolator) trên dây âm thanh.",
            "Hum from the amplifier: put a ground-loop isolator in the audio cable.",
        ),
    ]
    s.box(660, 958, 1000, 276, "Lưu ý an toàn / safety", fill="#fffdf2", stroke="#c00")
    for i, (vi, en) in enumerate(notes):
        s.text(676, 996 + 34 * i, vi, size=12)
        s.text(694, 1012 + 34 * i, en, size=11, fill="#555")
    legend = [
        (L_MAINS, "L 220 V"),
        (N_MAINS, "N"),
        (PE, "PE"),
        (SPK, "100 V loa"),
        (SPK0, "0 V loa"),
        (GPIO, "GPIO"),
        (V33, "3,3 V"),
        (V5, "5 V"),
        (GND, "GND"),
        (AUDIO, "âm thanh / audio"),
    ]
    for i, (color, label) in enumerate(legend):
        x, y = 40 + 150 * (i % 4), 1180 + 22 * (i // 4)
        s.wire([(x, y - 4), (x + 30, y - 4)], color, width=4)
        s.text(x + 38, y, label, size=11)
    return s.render()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else OUT
    out.write_text(draw(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
