#!/usr/bin/env bash
# Loa Xã: install the box on Raspberry Pi OS Lite, 64- or 32-bit: Trixie (Debian 13,
# Python 3.13) or Bookworm (Debian 12, Python 3.11).
#
#   sudo bash hardware/install.sh             install or update (run from the checkout)
#   bash hardware/install.sh --dry-run        print every action, change nothing
#   bash hardware/install.sh --root DIR       fake root: write everything under DIR,
#                                             no apt-get, useradd, systemctl or pip
#   sudo bash hardware/install.sh --technician "Nguyễn Văn Minh"
#                                             also make the web panel's first technician
#                                             account (its one-time password is printed once)
#
# Running it again only does what is missing or changed, and then says so.
# It never overwrites /etc/loaxa/loaxa.toml and never starts the daemon on a first
# install (a wrong `active_high` would switch every relay on): edit the config, run
# `loaxa selftest`, then `sudo systemctl enable --now loaxa`. See hardware/README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

VENV=/opt/loaxa/venv
ETC=/etc/loaxa
DATA=/var/lib/loaxa
WRAPPER=/usr/local/bin/loaxa
UNITS=/etc/systemd/system
RULES=/etc/udev/rules.d
JOURNALD=/etc/systemd/journald.conf.d/loaxa.conf
# python3-lgpio comes from the Raspberry Pi OS archive (archive.raspberrypi.com), not
# Debian: the venv sees it through --system-site-packages; elsewhere pip installs lgpio.
# python3-lxml (python-docx's) likewise: PyPI has no armv7 wheel of lxml for Python 3.13,
# and a 32-bit Pi has no compiler; Debian's binary is the one pip then finds installed.
# python3-cryptography (the province link's Ed25519) for the same reason.
# espeak-ng: the Vietnamese voice of `loaxa clips say` (always there; Piper is optional).
PACKAGES=(python3-venv ffmpeg alsa-utils espeak-ng fake-hwclock python3-lgpio python3-lxml python3-cryptography)
GROUPS_OF_LOAXA=(gpio audio dialout)
MOVED_STUB="has moved to /boot/firmware/config.txt"

# The web panel's libraries as Debian builds them, seen by the venv (--system-site-packages),
# so pip compiles nothing on a 32-bit Pi (argon2-cffi has C code); tomlkit writes its campaign files.
PACKAGES+=(python3-flask python3-cheroot python3-argon2 python3-tomlkit)
root=""
dry_run=0
technician=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --root) root=${2:?--root needs a folder}; shift ;;
    --root=*) root=${1#--root=} ;;
    --technician) technician=${2:?--technician needs a name}; shift ;;
    --technician=*) technician=${1#--technician=} ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -z "$root" ] || root=$(realpath -m "$root")
R=$root   # prefix of every path written
if [ -z "$R" ] && [ "$dry_run" = 0 ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh: run it as root: sudo bash $0 (or try --dry-run)" >&2
  exit 1
fi

changes=0
unit_changed=0
rules_changed=0
journald_changed=0
package_changed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

say() { printf '%s\n' "$*"; }
skip() { say "  (skipped, --root) $*"; }

# An action that changes the system: print it, count it, do it unless --dry-run.
run() {
  changes=$((changes + 1))
  printf '+'
  printf ' %q' "$@"
  printf '\n'
  if [ "$dry_run" = 0 ]; then "$@"; fi
}

# "uid:gid" of user loaxa: numeric from the (fake) passwd file, else by name.
loaxa_owner() {
  local uid gid
  uid=$(awk -F: '$1 == "loaxa" { print $3 }' "$R/etc/passwd" 2>/dev/null || true)
  gid=$(awk -F: '$1 == "loaxa" { print $3 }' "$R/etc/group" 2>/dev/null || true)
  if [ -n "$uid" ] && [ -n "$gid" ]; then say "$uid:$gid"; else say "loaxa:loaxa"; fi
}

ensure_owner() {  # PATH OWNER (uid:gid); only root can give files away
  [ "$(id -u)" = 0 ] || return 0
  local now  # a path not made yet (dry run) will be ours
  now=$(stat -c %u:%g "$R$1" 2>/dev/null || echo "$(id -u):$(id -g)")
  [ "$now" = "$2" ] || run chown "$2" "$R$1"
}

ensure_mode() {  # PATH MODE
  if [ ! -e "$R$1" ] || [ "$(stat -c %a "$R$1")" != "${2#0}" ]; then run chmod "$2" "$R$1"; fi
}

ensure_dir() {  # PATH MODE OWNER
  if [ ! -d "$R$1" ]; then run install -d -m "$2" "$R$1"; else ensure_mode "$1" "$2"; fi
  ensure_owner "$1" "$3"
}

# Install SRC as PATH (MODE, owned by root) unless it is already identical.
# Sets put_changed=1 if the content was (or, in a dry run, would be) written.
put_changed=0
put_file() {  # SRC PATH MODE
  put_changed=0
  if [ -f "$R$2" ] && [ ! -L "$R$2" ] && cmp -s "$1" "$R$2"; then
    ensure_mode "$2" "$3"
  else
    run install -D -m "$3" "$1" "$R$2"
    put_changed=1
  fi
  ensure_owner "$2" 0:0
}

# Python with this checkout's package: the venv's once it exists, else python3 on the
# checkout (a fake root or a first install's dry run; the config loader needs no dependency).
loaxa_python() {
  if [ -z "$R" ] && [ -x "$VENV/bin/python" ]; then
    "$VENV/bin/python" "$@"
  else
    PYTHONPATH=$repo python3 "$@"
  fi
}

# PATH gets SRC's content, safe against a power cut: a new file beside it, synced, renamed
# over it. No chmod or chown: /boot/firmware is FAT, which refuses both.
replace_file() {  # SRC PATH
  cp "$2" "$2.loaxa-new"
  cat "$1" >"$2.loaxa-new"
  sync "$2.loaxa-new"
  mv -f "$2.loaxa-new" "$2"
  sync "$(dirname "$2")"
}

# -- 0. The system: what Loa Xã is tested on -----------------------------------------------
say "== Hệ điều hành / system"
os_release=$R/etc/os-release
[ -e "$os_release" ] || os_release=$R/usr/lib/os-release
os_field() { sed -n "s/^$1=//p" "$os_release" 2>/dev/null | tr -d '"' || true; }
case "$(os_field VERSION_CODENAME)" in
  trixie|bookworm) say "  $(os_field PRETTY_NAME)" ;;
  "") say "  (không rõ / unknown: no VERSION_CODENAME in /etc/os-release)" ;;
  *) say "  CẢNH BÁO / WARNING: $(os_field PRETTY_NAME) chưa được thử / is not tested;" \
    "Loa Xã is made for Raspberry Pi OS (Debian) 13 trixie and 12 bookworm" ;;
esac

# -- 1. Debian packages -------------------------------------------------------------------
say "== Gói phần mềm / Debian packages"
if [ -n "$R" ]; then
  skip "apt-get install ${PACKAGES[*]}"
else
  missing=()
  for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      if [ "$pkg" = python3-lgpio ] && ! apt-cache show python3-lgpio >/dev/null 2>&1; then
        say "  python3-lgpio is not in the apt sources (not Raspberry Pi OS?): pip lgpio later"
        continue
      fi
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    run apt-get update -qq
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}"
  fi
fi

# -- 2. User loaxa (never root) in the gpio, audio and dialout groups ----------------------
say "== Người dùng / user loaxa"
fake_group() {  # NAME [MEMBER]: add a group line, or a member to it, in $R/etc/group
  local file=$R/etc/group gid
  if ! grep -q "^$1:" "$file" 2>/dev/null; then
    # The highest free system id (like groupadd --system), free for the user too.
    gid=$({ cat "$file" "$R/etc/passwd" 2>/dev/null || true; } | awk -F: '{ used[$3] = 1 } END {
      for (id = 999; id >= 100; id--) if (!(id in used)) { print id; exit } }')
    run fake_append "$file" "$1:x:$gid:"
  fi
  if [ -n "${2:-}" ] && ! awk -F: -v g="$1" -v u="$2" \
      '$1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) f = 1 }
       END { exit !f }' "$file" 2>/dev/null; then
    run fake_add_member "$file" "$1" "$2"
  fi
}
fake_append() { mkdir -p "$(dirname "$1")"; printf '%s\n' "$2" >>"$1"; }
fake_add_member() {
  awk -F: -v OFS=: -v g="$2" -v u="$3" \
    '$1 == g { $4 = ($4 == "" ? u : $4 "," u) } { print }' "$1" >"$1.new"
  mv "$1.new" "$1"
}
if [ -n "$R" ]; then
  fake_group loaxa
  for group in "${GROUPS_OF_LOAXA[@]}"; do fake_group "$group" loaxa; done
  if ! grep -q '^loaxa:' "$R/etc/passwd" 2>/dev/null; then
    gid=$(awk -F: '$1 == "loaxa" { print $3 }' "$R/etc/group" 2>/dev/null || true)
    run fake_append "$R/etc/passwd" \
      "loaxa:x:${gid:-999}:${gid:-999}:Loa Xa daemon:$DATA:/usr/sbin/nologin"
  fi
else
  for group in "${GROUPS_OF_LOAXA[@]}"; do
    getent group "$group" >/dev/null || run groupadd --system "$group"
  done
  if ! getent passwd loaxa >/dev/null; then
    run useradd --system --user-group --home-dir "$DATA" --no-create-home \
      --shell /usr/sbin/nologin --comment "Loa Xa daemon" \
      --groups "$(IFS=,; echo "${GROUPS_OF_LOAXA[*]}")" loaxa
  else
    for group in "${GROUPS_OF_LOAXA[@]}"; do
      id -nG loaxa | tr ' ' '\n' | grep -qx "$group" || run usermod -a -G "$group" loaxa
    done
  fi
fi
owner=$(loaxa_owner)

# -- 3. Folders -----------------------------------------------------------------------
say "== Thư mục / folders"
ensure_dir "$ETC" 0755 0:0
ensure_dir "$DATA" 0755 "$owner"
ensure_dir "$DATA/schedules" 0755 "$owner"
ensure_dir "$DATA/clips" 0755 "$owner"

# -- 4. Virtual environment with the package from this checkout ---------------------------
say "== Python: $VENV"
source_hash() {
  (cd "$repo" && find pyproject.toml firmware_host -type f ! -name '*.pyc' -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}
if [ -n "$R" ]; then
  skip "python3 -m venv --system-site-packages $VENV; pip install $repo"
else
  if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "install.sh: Loa Xã needs Python 3.11 or newer (Raspberry Pi OS Bookworm or Trixie)" >&2
    exit 1
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    run python3 -m venv --system-site-packages "$VENV"
  fi
  source_hash >"$work/source"
  if ! cmp -s "$work/source" "$VENV/.loaxa-source"; then
    # Built from a copy, so pip leaves no root-owned build/ in the checkout.
    mkdir -p "$work/src"
    cp -r "$repo/pyproject.toml" "$repo/README.md" "$repo/firmware_host" "$work/src/"
    run "$VENV/bin/python" -m pip install --quiet --upgrade "$work/src"
    package_changed=1
    # Real pins need lgpio: python3-lgpio through --system-site-packages, else pip's.
    if [ ! -x "$VENV/bin/python" ]; then
      say "  then pip install lgpio, if the new venv cannot import lgpio"
    elif ! "$VENV/bin/python" -c 'import lgpio' 2>/dev/null; then
      case "$(uname -m)" in
        aarch64|armv7l|armv6l)
          # A wheel or nothing: there is no compiler on the box. Without a floor pip
          # takes lgpio 0.0.0.2 (2020), the only armv7l wheel PyPI has for Python 3.13.
          if ! run "$VENV/bin/python" -m pip install --quiet --only-binary=:all: \
              "lgpio>=0.2"; then
            say "  CẢNH BÁO / WARNING: no lgpio for this Python on $(uname -m); gpiozero falls" \
              "back to its other pin drivers (hardware/README.md, lgpio)"
          fi
          ;;
        *) say "  no lgpio on $(uname -m): not a Raspberry Pi, loaxa will use mock pins" ;;
      esac
    fi
    put_file "$work/source" "$VENV/.loaxa-source" 0644
  fi
fi

# -- 5. Config: /etc/loaxa/loaxa.toml, never overwritten -----------------------------------
say "== Cấu hình / config: $ETC/loaxa.toml"
if [ -e "$R$ETC/loaxa.toml" ]; then
  say "  giữ nguyên / kept as it is"
elif [ -z "$R" ] && [ -x "$VENV/bin/loaxa" ]; then
  run "$VENV/bin/loaxa" init --config "$ETC/loaxa.toml" --data-dir "$DATA"
else
  put_file "$repo/firmware_host/defaults/loaxa.toml" "$ETC/loaxa.toml" 0644
fi
# The USB-stick service and a bare `loaxa` find the config in the data folder: one file.
if [ -L "$R$DATA/loaxa.toml" ] || [ ! -e "$R$DATA/loaxa.toml" ]; then
  if [ "$(readlink "$R$DATA/loaxa.toml" || true)" != "$ETC/loaxa.toml" ]; then
    run ln -sfn "$ETC/loaxa.toml" "$R$DATA/loaxa.toml"
  fi
else
  say "  NOTE: $DATA/loaxa.toml is a separate file; the daemon reads $ETC/loaxa.toml"
fi

# -- 5b. Relay pins driven OFF by the Raspberry Pi firmware from power-on ------------------
# From power-on to the daemon (20–40 s) the pins float, and an active-low board reads a low
# pin as ON. The firmware drives them OFF from the start if config.txt says so: a marked
# block, written from loaxa.toml by the package's own config loader (firmware_host/relays/bootpins.py).
say "== Chân rơ-le lúc khởi động / relay pins at boot"
boot_txt=""
for candidate in /boot/firmware/config.txt /boot/config.txt; do
  # Bookworm leaves a stub in /boot that the firmware never reads.
  if [ -f "$R$candidate" ] && ! grep -qF "$MOVED_STUB" "$R$candidate"; then
    boot_txt=$candidate
    break
  fi
done
config=$R$ETC/loaxa.toml
[ -e "$config" ] || config=$repo/firmware_host/defaults/loaxa.toml  # a first install's dry run
if [ -z "$boot_txt" ]; then
  say "  không có config.txt / no config.txt: not a Raspberry Pi, nothing to do"
elif ! loaxa_python -m firmware_host.relays.bootpins --config "$config" "$R$boot_txt" \
    --out "$work/config.txt" >"$work/boot-line" 2>&1; then
  say "  CẢNH BÁO / WARNING: $boot_txt unchanged; fix $ETC/loaxa.toml, then run install.sh again:"
  sed 's/^/    /' "$work/boot-line"
else
  say "  $boot_txt: $(cat "$work/boot-line")"
  cmp -s "$work/config.txt" "$R$boot_txt" || run replace_file "$work/config.txt" "$R$boot_txt"
fi

# -- 6. `loaxa` for people: runs as user loaxa with the box's config and data ------------
say "== Lệnh / command: $WRAPPER"
cat >"$work/wrapper" <<EOF
#!/bin/sh
# Loa Xã (written by hardware/install.sh): run loaxa as user loaxa with the box's
# config and data, so whatever it writes stays the daemon's. Files to import must be
# readable by user loaxa (a USB stick, /tmp): home folders are private since Bookworm.
set -eu
if [ "\$(id -un)" != loaxa ]; then
  as_loaxa="sudo -u loaxa --"
  [ "\$(id -u)" != 0 ] || as_loaxa="runuser -u loaxa --"
  exec \$as_loaxa env "LOAXA_LANG=\${LOAXA_LANG:-vi}" "\$0" "\$@"
fi
export LOAXA_HOME=$DATA
# lgpio makes its notification pipes in the current folder.
[ -w . ] || cd $DATA
exec $VENV/bin/loaxa --config $ETC/loaxa.toml "\$@"
EOF
put_file "$work/wrapper" "$WRAPPER" 0755

# -- 7. systemd units and udev rules from hardware/systemd and hardware/udev --------------
say "== systemd + udev"
shopt -s nullglob
for unit in "$here"/systemd/*.service "$here"/systemd/*.timer "$here"/systemd/*.path; do
  put_file "$unit" "$UNITS/$(basename "$unit")" 0644
  [ "$put_changed" = 0 ] || unit_changed=1
done
for rule in "$here"/udev/*.rules; do
  put_file "$rule" "$RULES/$(basename "$rule")" 0644
  [ "$put_changed" = 0 ] || rules_changed=1
done
shopt -u nullglob

# -- 8. Logs and clock: a small journal, the clock restored at boot ----------------------
say "== journald + fake-hwclock"
cat >"$work/journald" <<'EOF'
# Loa Xã (hardware/install.sh): keep the journal small so logs never fill the SD card.
[Journal]
SystemMaxUse=50M
EOF
put_file "$work/journald" "$JOURNALD" 0644
journald_changed=$put_changed

# -- 9. Tell systemd and udev -------------------------------------------------------------
say "== systemctl"
if [ -n "$R" ]; then
  skip "systemctl daemon-reload; udevadm control --reload; systemctl enable fake-hwclock"
else
  if [ -d /run/systemd/system ]; then
    [ "$unit_changed" = 0 ] || run systemctl daemon-reload
    [ "$rules_changed" = 0 ] || run udevadm control --reload
    [ "$journald_changed" = 0 ] || run systemctl restart systemd-journald
  else  # an image being prepared in a chroot: the units are read when it boots
    say "  systemd is not running (chroot?): nothing to reload"
  fi
  # fake-hwclock is one unit on Bookworm; since Trixie (0.14) a load unit, a save unit and
  # an hourly timer, and fake-hwclock.service is masked.
  hwclock_units=(fake-hwclock.service)
  case "$(systemctl is-enabled fake-hwclock-load.service 2>/dev/null || true)" in
    ""|not-found) ;;
    *) hwclock_units=(fake-hwclock-load.service fake-hwclock-save.service fake-hwclock-save.timer) ;;
  esac
  for unit in "${hwclock_units[@]}"; do
    systemctl is-enabled --quiet "$unit" 2>/dev/null || run systemctl enable "$unit"
  done
  [ -e /etc/fake-hwclock.data ] || run fake-hwclock save
  if systemctl is-active --quiet loaxa.service 2>/dev/null \
      && [ "$((unit_changed + package_changed))" -gt 0 ]; then
    run systemctl restart loaxa.service
  fi
  if systemctl is-active --quiet loaxa-web.service 2>/dev/null \
      && [ "$((unit_changed + package_changed))" -gt 0 ]; then
    run systemctl restart loaxa-web.service
  fi
  if systemctl is-active --quiet loaxa-link.service 2>/dev/null \
      && [ "$((unit_changed + package_changed))" -gt 0 ]; then
    run systemctl restart loaxa-link.service
  fi
fi

# -- The panel's first technician ------------------------------------------------------------
# Nobody can log in to the panel before a technician account exists; its one-time password
# is printed here once (the wrapper runs loaxa as user loaxa). An existing account is kept.
if [ -n "$technician" ]; then
  if [ -n "$R" ]; then
    skip "loaxa users add \"$technician\" --role ky-thuat"
  elif [ "$dry_run" = 0 ] && "$WRAPPER" users list --json \
      | "$VENV/bin/python" -c 'import json, sys, unicodedata
names = {unicodedata.normalize("NFC", u["name"]) for u in json.load(sys.stdin)}
sys.exit(0 if unicodedata.normalize("NFC", sys.argv[1]).strip() in names else 1)' "$technician"; then
    say "Tài khoản kỹ thuật viên \"$technician\" đã có / the technician account exists: kept."
  else
    run "$WRAPPER" users add "$technician" --role ky-thuat
  fi
fi

# -- Done -----------------------------------------------------------------------------------
if [ "$changes" = 0 ]; then
  say "Không có gì cần thay đổi / nothing to change: already installed."
elif [ "$dry_run" = 1 ]; then
  say "Chạy thử / dry run: $changes actions above would run; nothing was changed."
else
  say "Xong / done: $changes changes."
fi
if [ -z "$R" ] && ! systemctl is-enabled --quiet loaxa.service 2>/dev/null; then
  say "Next / tiếp theo: sudo nano $ETC/loaxa.toml; loaxa selftest;" \
    "sudo systemctl enable --now loaxa"
fi
# The province link waits for its account, the province's CA and keys (docs/link.md).
if [ -z "$R" ] && ! systemctl is-enabled --quiet loaxa-link.service 2>/dev/null; then
  say "Province link / nối với tỉnh: [link] in $ETC/loaxa.toml (docs/link.md);" \
    "sudo systemctl enable --now loaxa-link"
fi
# The panel waits for a technician account: nobody could log in to it before.
if [ -z "$R" ] && ! systemctl is-enabled --quiet loaxa-web.service 2>/dev/null; then
  if [ -z "$technician" ]; then
    say "Web panel / trang điều khiển: loaxa users add \"<name>\" --role ky-thuat;" \
      "sudo systemctl enable --now loaxa-web"
  else
    say "Web panel / trang điều khiển: sudo systemctl enable --now loaxa-web"
  fi
fi
