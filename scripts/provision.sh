#!/usr/bin/env bash
# Installs the real parts the test suite and `npm start` need, when run as root on Debian/Ubuntu.
# Idempotent and quiet when everything is present. Elsewhere it says what is missing and fails.
set -euo pipefail
# command → Debian package that provides it
declare -A PKG=(
  [dockerd]=docker.io [containerd]=containerd [ctr]=containerd [runc]=runc [busybox]=busybox-static [sshd]=openssh-server [ssh-keygen]=openssh-client
  [chromium]=chromium [getfattr]=attr [ip]=iproute2 [sudo]=sudo [lsns]=util-linux [nsenter]=util-linux
  [pkg-config]=pkg-config [krb5-config]=libkrb5-dev [pgrep]=procps [script]=bsdutils [ssh-agent]=openssh-client [capsh]=libcap2-bin [fincore]=util-linux [setfattr]=attr [setpriv]=util-linux [dot]=graphviz
)
missing=()
for cmd in "${!PKG[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("${PKG[$cmd]}"); done
[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "provision: missing ${missing[*]}; install them (Debian: apt-get install ${missing[*]}) or run as root" >&2
  exit 1
fi
echo "provision: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
