#!/usr/bin/env bash
# Loa Xã: accounts and certificates for the province broker (Mosquitto).
#
#   sudo bash make-credentials.sh init --host mqtt.tinh.gov.vn [--host 203.0.113.7]
#        a certificate authority (10 years) and the broker's certificate for those names
#        (2 years), an empty password file, and the ACL (acl beside this script)
#   sudo bash make-credentials.sh renew --host mqtt.tinh.gov.vn
#        a new broker certificate from the same authority (boxes need nothing new)
#   sudo bash make-credentials.sh collector            the province collector's account
#   sudo bash make-credentials.sh box 19543 tram-1     one box's account: 19543/tram-1
#   sudo bash make-credentials.sh remove 19543/tram-1  close an account
#
# Options (before the command): --dir DIR (default /etc/mosquitto/loaxa), --dry-run
# (print every action, change nothing). A new account's password is printed once on
# standard output as "ACCOUNT PASSWORD"; write it into that box's loaxa.toml, it is not
# kept anywhere in clear. Then: sudo systemctl reload mosquitto.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=/etc/mosquitto/loaxa
dry_run=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --dir) dir=${2:?--dir needs a folder}; shift ;;
    --dir=*) dir=${1#--dir=} ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "make-credentials.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) break ;;
  esac
  shift
done
command=${1:-}
shift || true

say() { printf '%s\n' "$*" >&2; }
die() { say "make-credentials.sh: $*"; exit 2; }

# An action that changes the system: print it, do it unless --dry-run.
run() {
  printf '+' >&2
  printf ' %q' "$@" >&2
  printf '\n' >&2
  if [ "$dry_run" = 0 ]; then "$@"; fi
}

# Same, with the password shown as *** in what is printed.
run_secret() {  # SECRET COMMAND...
  local secret=$1; shift
  local shown=()
  for arg in "$@"; do
    if [ "$arg" = "$secret" ]; then shown+=("***"); else shown+=("$arg"); fi
  done
  printf '+' >&2
  printf ' %q' "${shown[@]}" >&2
  printf '\n' >&2
  if [ "$dry_run" = 0 ]; then "$@"; fi
}

# The broker drops root and runs as "mosquitto": what it reads must be readable by
# that group, and by nobody else.
protect() {  # FILE
  run chmod 640 "$1"
  if [ "$(id -u)" = 0 ] && getent group mosquitto >/dev/null; then run chgrp mosquitto "$1"; fi
}

valid_name() {  # a commune code or a station id: becomes a topic level and an account
  [[ $1 =~ ^[a-z0-9][a-z0-9-]{0,31}$ ]]
}

need() {
  command -v "$1" >/dev/null || die "$1 is missing: sudo apt-get install $2"
}

add_account() {  # ACCOUNT
  local account=$1 password
  need mosquitto_passwd mosquitto
  [ -f "$dir/passwd" ] || [ "$dry_run" = 1 ] || die "no $dir/passwd yet: run 'init' first"
  password=$(openssl rand -base64 18)
  run_secret "$password" mosquitto_passwd -b "$dir/passwd" "$account" "$password"
  protect "$dir/passwd"
  if [ "$dry_run" = 1 ]; then password="***"; fi  # never print a password nobody keeps
  printf '%s %s\n' "$account" "$password"
  say "Account $account made. Reload the broker: sudo systemctl reload mosquitto"
}

read_hosts() {  # --host NAME... -> hosts[]
  hosts=()
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --host) hosts+=("${2:?--host needs a name or an address}"); shift ;;
      *) die "$command: unknown argument $1" ;;
    esac
    shift
  done
  [ "${#hosts[@]}" -gt 0 ] || die "$command: give the broker's name or address: --host NAME"
}

# The broker's certificate, for every name and address the boxes may use to reach it
# (a box checks the name it dialled against this list).
server_cert() {
  local san="" host work
  for host in "${hosts[@]}"; do
    if [[ $host =~ ^[0-9.]+$ || $host == *:* ]]; then san+="IP:$host,"; else san+="DNS:$host,"; fi
  done
  work=$(mktemp -d)
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "${san%,}" > "$work/server.ext"
  run openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=${hosts[0]}" -keyout "$dir/server.key" -out "$work/server.csr"
  run openssl x509 -req -in "$work/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 730 -extfile "$work/server.ext" -out "$dir/server.crt"
  rm -rf "$work"
  protect "$dir/server.key"
}

case "$command" in
  init)
    read_hosts "$@"
    need openssl openssl
    [ ! -e "$dir/ca.key" ] || die "$dir/ca.key exists: this broker already has its authority"
    run install -d -m 750 "$dir"
    run openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -days 3650 -subj "/CN=Loa Xa province CA" -keyout "$dir/ca.key" -out "$dir/ca.crt"
    run chmod 600 "$dir/ca.key"
    server_cert
    run install -m 640 /dev/null "$dir/passwd"
    protect "$dir/passwd"
    run install -m 640 "$here/acl" "$dir/acl"
    protect "$dir/acl"
    say "Done. Copy $dir/ca.crt to every box (it is public); keep $dir/ca.key secret."
    ;;
  renew)
    read_hosts "$@"
    need openssl openssl
    [ -e "$dir/ca.key" ] || [ "$dry_run" = 1 ] || die "no $dir/ca.key: run 'init' first"
    server_cert
    say "New broker certificate. Restart the broker: sudo systemctl restart mosquitto"
    ;;
  collector)
    account=${1:-province}
    [ "$account" = province ] || die "collector: the ACL grants the collector as 'province'"
    add_account "$account"
    ;;
  box)
    [ "$#" = 2 ] || die "box: give COMMUNE STATION, e.g. box 19543 tram-1"
    if ! valid_name "$1" || ! valid_name "$2"; then
      die "box: commune and station are 1-32 lowercase letters, digits or '-'"
    fi
    [ "$1" != broadcast ] || die "box: 'broadcast' is not a commune"
    add_account "$1/$2"
    ;;
  remove)
    [ "$#" = 1 ] || die "remove: give the account, e.g. remove 19543/tram-1"
    need mosquitto_passwd mosquitto
    run mosquitto_passwd -D "$dir/passwd" "$1"
    say "Account $1 closed. Reload the broker: sudo systemctl reload mosquitto"
    ;;
  *)
    sed -n '2,17p' "$0" >&2
    exit 2
    ;;
esac
if [ "$dry_run" = 1 ]; then say "(dry run: nothing was changed)"; fi
