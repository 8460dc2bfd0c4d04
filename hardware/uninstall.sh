#!/usr/bin/env bash
# Loa Xã: remove what hardware/install.sh installed.
#
#   sudo bash hardware/uninstall.sh           stop the daemon, remove the program, units,
#                                             udev rules, journald limit and `loaxa` command;
#                                             KEEP /etc/loaxa (config) and /var/lib/loaxa
#                                             (clips, schedules, playback log, reports)
#   sudo bash hardware/uninstall.sh --purge   also delete those and the user loaxa
#   --dry-run                                 print every action, change nothing
#   --root DIR                                fake root, as for install.sh
#
# Debian packages (ffmpeg, alsa-utils, fake-hwclock...) stay: other things may use them.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

root=""
dry_run=0
purge=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --purge) purge=1 ;;
    --root) root=${2:?--root needs a folder}; shift ;;
    --root=*) root=${1#--root=} ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "uninstall.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -z "$root" ] || root=$(realpath -m "$root")
R=$root
if [ -z "$R" ] && [ "$dry_run" = 0 ] && [ "$(id -u)" != 0 ]; then
  echo "uninstall.sh: run it as root: sudo bash $0 (or try --dry-run)" >&2
  exit 1
fi

changes=0
run() {
  changes=$((changes + 1))
  printf '+'
  printf ' %q' "$@"
  printf '\n'
  if [ "$dry_run" = 0 ]; then "$@"; fi
}
remove() {  # PATH...: delete what exists
  local path
  for path in "$@"; do
    if [ -e "$R$path" ] || [ -L "$R$path" ]; then run rm -rf "$R$path"; fi
  done
}
fake_remove_user() {  # drop loaxa's lines and memberships from the fake passwd/group
  sed -i '/^loaxa:/d' "$R/etc/passwd" "$R/etc/group"
  sed -i -E '/^[^:]*:[^:]*:[^:]*:/ { s/([:,])loaxa(,|$)/\1/; s/,$// }' \
    "$R/etc/group"
}

units=(/etc/systemd/system/loaxa.service)
shopt -s nullglob
for unit in "$here"/systemd/*.service "$here"/systemd/*.timer "$here"/systemd/*.path; do
  units+=("/etc/systemd/system/$(basename "$unit")")
done
rules=()
for rule in "$here"/udev/*.rules; do rules+=("/etc/udev/rules.d/$(basename "$rule")"); done
shopt -u nullglob
# The web panel and the province link first: they switch nothing, so they simply stop
# (a chroot: nothing runs).
for side in loaxa-web.service loaxa-link.service; do
  if [ -n "$R" ]; then
    echo "  (skipped, --root) systemctl disable --now $side"
  elif systemctl is-enabled --quiet "$side" 2>/dev/null \
      || systemctl is-active --quiet "$side" 2>/dev/null; then
    if [ -d /run/systemd/system ]; then
      run systemctl disable --now "$side"
    else
      run systemctl disable "$side"
    fi
  fi
done

if [ -n "$R" ]; then
  echo "  (skipped, --root) systemctl disable --now loaxa.service"
elif systemctl is-enabled --quiet loaxa.service 2>/dev/null \
    || systemctl is-active --quiet loaxa.service 2>/dev/null; then
  # Stopping switches every relay off before the daemon exits.
  if [ -d /run/systemd/system ]; then
    run systemctl disable --now loaxa.service
  else  # a chroot: nothing runs
    run systemctl disable loaxa.service
  fi
fi

remove "${units[@]}" "${rules[@]}" /etc/systemd/journald.conf.d/loaxa.conf \
  /usr/local/bin/loaxa /opt/loaxa

# The relay-pin block install.sh put in the Raspberry Pi firmware's config.txt; the rest of
# the file stays byte for byte. Renamed over, like install.sh: /boot/firmware is FAT.
BOOT_BLOCK="# loaxa: relay pins driven OFF at boot"
remove_boot_block() {  # PATH
  cp "$1" "$1.loaxa-new"
  LC_ALL=C awk -v start="$BOOT_BLOCK" -v end="# loaxa: end" \
    '$0 == start { skip = 1 } !skip { print } skip && $0 == end { skip = 0 }' "$1" >"$1.loaxa-new"
  sync "$1.loaxa-new"
  mv -f "$1.loaxa-new" "$1"
  sync "$(dirname "$1")"
}
for boot_txt in /boot/firmware/config.txt /boot/config.txt; do
  if [ -f "$R$boot_txt" ] && grep -qxF "$BOOT_BLOCK" "$R$boot_txt"; then
    run remove_boot_block "$R$boot_txt"
  fi
done

if [ "$purge" = 1 ]; then
  remove /etc/loaxa /var/lib/loaxa
  if [ -n "$R" ]; then
    if grep -qs '^loaxa:' "$R/etc/passwd" "$R/etc/group"; then run fake_remove_user; fi
  elif getent passwd loaxa >/dev/null; then
    run userdel loaxa
  fi
  if [ -z "$R" ] && getent group loaxa >/dev/null; then run groupdel loaxa; fi
else
  echo "Giữ lại / kept: /etc/loaxa (cấu hình / config), /var/lib/loaxa (dữ liệu / data)," \
    "user loaxa. --purge deletes them."
fi

if [ -z "$R" ] && [ "$changes" -gt 0 ] && [ -d /run/systemd/system ]; then
  run systemctl daemon-reload
  run udevadm control --reload
fi

if [ "$changes" = 0 ]; then
  echo "Không có gì cần gỡ / nothing to remove."
elif [ "$dry_run" = 1 ]; then
  echo "Chạy thử / dry run: $changes actions above would run; nothing was changed."
else
  echo "Xong / done: $changes changes."
fi
