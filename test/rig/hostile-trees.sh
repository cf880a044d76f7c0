#!/bin/sh
# The hostile container's trees and traps (busybox sh), sourced by hostile.sh. Its own file so that the
# image layer made from it (about 100 s to build) stays in Docker's build cache when only hostile.sh changes.

# Newline, then a word a forged line would start with, then "ESC[31m" (red).
HOSTILE=$(printf 'n\nFORGED\033[31m')

# DEPTH directories named d, one in another, under $1: made 1,000 at a time and moved into each other,
# because no path may exceed PATH_MAX (4,096 bytes) and busybox's cd keeps the whole path.
deep_tree() {
  root=$1 depth=$2 chunk=$(printf 'd/%.0s' $(seq 1 1000))
  mkdir -p "$root"
  while [ "$depth" -gt 0 ]; do
    n=1000; [ "$depth" -lt 1000 ] && n=$depth && chunk=$(printf 'd/%.0s' $(seq 1 "$n"))
    rm -rf "$root/.c" && mkdir -p "$root/.c/$chunk"
    if [ -e "$root/d" ]; then mv "$root/d" "$root/.c/$chunk"; fi
    mv "$root/.c/d" "$root/d"
    depth=$((depth - n))
  done
  rm -rf "$root/.c"
}

# COUNT empty files named 1..COUNT in $1.
wide_dir() {
  mkdir -p "$1" && (cd "$1" && seq 1 "$2" | xargs touch)
}

# Names with a newline and an escape, symlink loops, links aimed at the node's files, a FIFO, a device.
hostile_names() {
  d=$1
  mkdir -p "$d/names/$HOSTILE.dir" "$d/links"
  # 64 KiB each, so they have pages to count in the page cache.
  head -c 65536 /dev/urandom >"$d/names/$HOSTILE"
  head -c 65536 /dev/urandom >"$d/names/$HOSTILE.dir/$HOSTILE"
  ln -s loop2 "$d/links/loop1" && ln -s loop1 "$d/links/loop2" && ln -s self "$d/links/self"
  ln -s /etc/shadow "$d/links/shadow"
  ln -s ../../../../../../../../../../etc/shadow "$d/links/relshadow"
  ln -s /proc/1/root "$d/links/hostroot"
  ln -s /proc/1/root/etc/shadow "$d/links/hostshadow"
  ln -s "/$HOSTILE" "$d/links/$HOSTILE"
  mkfifo "$d/fifo"
  # A character device (1,5 is /dev/zero: endless); refused where mknod is not allowed.
  mknod "$d/zero" c 1 5 2>/dev/null || true
}

image() {
  wide_dir /hostile/wide 200000
  # Docker's layer tar drops what lies deeper than PATH_MAX below its overlay2 directory (about 2,000
  # levels of "d/"): the image keeps 1,900, the running container's writable layer holds 10,000.
  deep_tree /hostile/deep 1900
  hostile_names /hostile
  # Deleted by the next image layer: a whiteout with a hostile name.
  echo gone >"/hostile/gone-$HOSTILE"
  # Top-level links at the paths a person would ask about.
  ln -s /etc/shadow /shadowlink && ln -s /proc/1/root /hostroot
}

