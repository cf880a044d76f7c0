#!/bin/sh
# The hostile container's own script (busybox sh): what a container that wants to turn the root agent
# plants on its node. The entrypoint of nodescope-rig/hostile:1, which up.sh builds (build_hostile) with
# the trees of hostile-trees.sh in an image layer; the hostile suite (test/integration/hostileNode.test.ts)
# starts and removes the containers itself.
#
#   hostile.sh run main ARG…    the main container: the trees again in its writable layer, 220 processes
#                               of 1 MB command lines with hostile names, a fork/exit loop, a symlink swap
#                               loop (ARG: anything, e.g. a name with escapes: it shows in its argv)
#   hostile.sh run VARIANT      one trap per container where enter and files expect a plain file or a
#                               namespace: fifo-passwd, zero-shells, pagemap-passwd, nsfs-fifo (needs
#                               CAP_SYS_ADMIN)
#
# Every container touches /ready once its setup is done. Names carry "FORGED" after a newline and an
# ANSI colour escape: a text renderer that prints them raw starts a line with FORGED.
set -eu

. /hostile-trees.sh

# The symlink swap of issue 8: a directory renamed away and a link to /etc put in its place, in a loop.
race() {
  mkdir -p /race/d && for f in f1 f2 f3; do echo "$f" >"/race/d/$f"; done
  cd /race
  set +e
  while :; do mv d d2; ln -s /etc d; rm d; mv d2 d; done
}

# A process that sets its own name (comm) to a hostile one and keeps 8 arguments of 128,000 bytes
# (the kernel caps one at 128 KiB): about 1 MB of command line.
big_process() {
  /bin/sh -c 'printf "c\nFORGED\033[31m" >/proc/$$/comm; sleep 1000000; :' "$HOSTILE" \
    "$BIG" "$BIG" "$BIG" "$BIG" "$BIG" "$BIG" "$BIG" "$BIG" &
}

# Setup steps with the seconds since start, in `docker logs`: what a slow start spent its time on.
START=$(date +%s)
step() { echo "hostile: $* at $(($(date +%s) - START)) s" >&2; }

main() {
  # Its own hostname, with the escape (CAP_SYS_ADMIN lets it set one); ignored where refused.
  hostname "h$HOSTILE" 2>/dev/null || true
  wide_dir /upper/wide 200000 && step "200,000 files in /upper/wide"
  deep_tree /upper/deep 10000 && step "10,000 directories deep in /upper/deep"
  hostile_names /upper
  # The image's names deleted in the writable layer: whiteouts with hostile names.
  rm -f "/hostile/names/$HOSTILE"
  # Pages in the cache for the page cache report.
  cat "/hostile/names/$HOSTILE.dir/$HOSTILE" "/upper/names/$HOSTILE" "/upper/names/$HOSTILE.dir/$HOSTILE" >/dev/null
  BIG=$(head -c 128000 /dev/zero | tr '\0' x)
  i=0
  while [ "$i" -lt "${HOSTILE_PROCS:-220}" ]; do big_process; i=$((i + 1)); done
  step "$i processes of 1 MB command lines"
  # Processes that exit between any two reads: a subshell forked and gone, again and again.
  (set +e; while :; do (:); done) &
  (race) &
  touch /ready && step ready
  wait
}

variant() {
  # A few hostile names in its writable layer too: small enough for a diff to show them all.
  hostile_names /upper
  case $1 in
    fifo-passwd) rm -f /etc/passwd && mkfifo /etc/passwd ;;
    zero-shells) rm -f /etc/shells && mknod /etc/shells c 1 5 ;;
    pagemap-passwd) ln -sf /proc/1/pagemap /etc/passwd ;;
    nsfs-fifo)
      # A uts namespace held only by a bind mount at /tmp/n/x, whose process is gone; then a tmpfs over
      # /tmp/n and a FIFO where the mount table still says the namespace is.
      mkdir -p /tmp/n && touch /tmp/n/x
      unshare --uts=/tmp/n/x true
      mount -t tmpfs cover /tmp/n
      mkfifo /tmp/n/x
      ;;
    *) echo "hostile.sh: unknown variant $1" >&2; exit 2 ;;
  esac
  touch /ready
  exec sleep 1000000
}

case ${1:-} in
  run)
    shift
    if [ "${1:-main}" = main ]; then main; else variant "$1"; fi
    ;;
  *) echo "usage: hostile.sh run [main ARG… | VARIANT]" >&2; exit 2 ;;
esac
