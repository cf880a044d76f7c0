#!/usr/bin/env bash
# The shared test rig: real kernel objects and a real Docker engine, made idempotently.
#
#   bash test/rig/up.sh            start dockerd if needed, build the images, start the rig's containers,
#                                  the bare unshare container, a containerd with a Kubernetes-annotated
#                                  and a plain container, and the bind-mount-only namespace; the hostile
#                                  image (hostile.sh), whose containers only its own suite starts
#   bash test/rig/up.sh --down     remove everything the rig made
#
# Everything the rig makes is named nodescope-rig-* (containers carry label nodescope.rig=1) so tests can
# find it and tear it down. Loopback only: containers run with --network none and the engine with
# --bridge=none --iptables=false (no traffic but loopback on these machines). Prints KEY=VALUE facts at the end for tests.
set -euo pipefail

STATE=/run/nodescope-rig
BARE_CG_V1=/sys/fs/cgroup/memory/nodescope-rig-bare
BARE_CG_V2=/sys/fs/cgroup/unified/nodescope-rig-bare
log() { echo "rig: $*" >&2; }
# The rig's own containerd (start_containerd) sits at containerd's default address.
CTRD_SOCK=/run/containerd/containerd.sock
CTR_IMAGE=docker.io/nodescope-rig/base:1
ctr_() { ctr --address "$CTRD_SOCK" "$@"; }

need() { command -v "$1" >/dev/null || { echo "rig: missing $1 (run scripts/provision.sh as root)" >&2; exit 1; }; }

start_dockerd() {
  if docker info >/dev/null 2>&1; then return; fi
  need dockerd
  log "starting dockerd"
  # What a killed rig leaves behind (CI runs right after a session's processes are ended): dockerd takes
  # a socket at containerd's default address for a running containerd and fails when nothing answers
  # there, and it refuses a pid file whose pid was reused.
  if [ -S "$CTRD_SOCK" ] && ! ctr_ version >/dev/null 2>&1; then rm -f "$CTRD_SOCK"; fi
  if ! pgrep -x dockerd >/dev/null; then rm -f /var/run/docker.pid; fi
  mkdir -p /var/lib/docker
  nohup dockerd --storage-driver overlay2 --bridge=none --iptables=false --ip6tables=false \
    >/var/log/nodescope-dockerd.log 2>&1 &
  for _ in $(seq 1 100); do docker info >/dev/null 2>&1 && return; sleep 0.2; done
  echo "rig: dockerd did not start; see /var/log/nodescope-dockerd.log" >&2
  tail -5 /var/log/nodescope-dockerd.log >&2
  exit 1
}

build_images() {
  if ! docker image inspect nodescope-rig/base:1 >/dev/null 2>&1; then
    need busybox
    local root; root=$(mktemp -d)
    mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev,root}
    cp "$(command -v busybox)" "$root/bin/busybox"
    for a in $("$root/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"; done
    # root and an ordinary user, for "enter as": the container's own accounts, not the node's.
    printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:App:/home/app:/bin/sh\n' >"$root/etc/passwd"
    printf 'root:x:0:\napp:x:1000:\n' >"$root/etc/group"
    printf '/bin/sh\n/bin/ash\n' >"$root/etc/shells"
    mkdir -p "$root/home/app" && chown 1000:1000 "$root/home/app"
    tar -C "$root" -c . | docker import - nodescope-rig/base:1 >/dev/null
    rm -rf "$root"
  fi
  local ctx; ctx=$(mktemp -d)
  # Layers, bottom to top: base | data files | whiteout of /data/gone | opaque /opq (old content hidden).
  cat >"$ctx/Dockerfile.layers" <<'DOCKER'
FROM nodescope-rig/base:1
RUN mkdir -p /data/keep /opq/sub && echo gone >/data/gone && echo keep >/data/keep/k && echo old >/opq/old && echo deep >/opq/sub/deep && dd if=/dev/zero of=/data/blob bs=1024 count=256 2>/dev/null
RUN rm /data/gone
RUN rm -rf /opq && mkdir /opq && echo new >/opq/new
DOCKER
  cat >"$ctx/Dockerfile.other" <<'DOCKER'
FROM nodescope-rig/base:1
RUN echo other >/other
DOCKER
  # Wastes a known 1,049,600 bytes (layerReport tests): a 1 MiB file removed by a later layer (1,048,576),
  # a 24-byte file overwritten (24), a directory made opaque over a 1,000-byte file (1,000); an ENV between
  # layers and a LABEL after the last make no layer (history folded onto the next layer / the top one).
  cat >"$ctx/Dockerfile.waste" <<'DOCKER'
FROM nodescope-rig/base:1
RUN dd if=/dev/zero of=/big bs=1024 count=1024 2>/dev/null && mkdir -p /etc/app /opqw && printf 'version 1 of the config\n' >/etc/app/conf && dd if=/dev/zero of=/opqw/a bs=1000 count=1 2>/dev/null
ENV WASTE=1
RUN rm /big
RUN printf 'v2\n' >/etc/app/conf
RUN rm -rf /opqw && mkdir /opqw && echo x >/opqw/b
LABEL nodescope.waste=1
DOCKER
  for img in layers other waste; do
    if ! docker image inspect "nodescope-rig/$img:1" >/dev/null 2>&1; then
      log "building nodescope-rig/$img:1"
      DOCKER_BUILDKIT=0 docker build -q -f "$ctx/Dockerfile.$img" -t "nodescope-rig/$img:1" "$ctx" >/dev/null 2>&1 \
        || { DOCKER_BUILDKIT=0 docker build -f "$ctx/Dockerfile.$img" -t "nodescope-rig/$img:1" "$ctx" >&2; exit 1; }
    fi
  done
  rm -rf "$ctx"
  build_distroless
}

# A distroless image: one static binary that pauses, FROM scratch, nothing else (no shell, no tools), for
# the debug shell. Built with gcc -static here: no registry is contacted.
build_distroless() {
  docker image inspect nodescope-rig/distroless:1 >/dev/null 2>&1 && return
  need gcc
  log "building nodescope-rig/distroless:1"
  local ctx; ctx=$(mktemp -d)
  printf '#include <unistd.h>\nint main(void) { for (;;) pause(); }\n' >"$ctx/sleeper.c"
  gcc -static -O2 -o "$ctx/sleeper" "$ctx/sleeper.c"
  printf 'FROM scratch\nCOPY sleeper /sleeper\nCMD ["/sleeper"]\n' >"$ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t nodescope-rig/distroless:1 "$ctx" >/dev/null 2>&1 \
    || { DOCKER_BUILDKIT=0 docker build -t nodescope-rig/distroless:1 "$ctx" >&2; exit 1; }
  rm -rf "$ctx"
}

# The hostile image: the trees and traps of hostile-trees.sh in an image layer, hostile.sh as its
# entrypoint. Built here (about 2 minutes, once); only the hostile suite runs it, starting and removing its
# containers itself (label nodescope.hostile=1), so no other suite pays for what it plants. Rebuilt when
# either script changes: their hash is the image's label.
HOSTILE_IMAGE=nodescope-rig/hostile:1
build_hostile() {
  local here sum ctx
  here=$(dirname "${BASH_SOURCE[0]}")
  sum=$(cat "$here/hostile-trees.sh" "$here/hostile.sh" | sha256sum | cut -c1-16)
  built() { [ "$(docker image inspect -f '{{index .Config.Labels "nodescope.hostile"}}' "$HOSTILE_IMAGE" 2>/dev/null)" = "$sum" ]; }
  built && return
  # Suites that start at once wait for one build rather than each running its own.
  mkdir -p "$STATE" && exec 9>"$STATE/hostile.lock" && flock 9
  if built; then flock -u 9; return; fi
  log "building $HOSTILE_IMAGE (200,000 files, 1,900 directories deep: about 2 minutes the first time)"
  ctx=$(mktemp -d)
  cp "$here/hostile-trees.sh" "$here/hostile.sh" "$ctx/"
  # The trees' layer first, so that a change to hostile.sh alone reuses it from the build cache; then a
  # layer whose whiteout has a hostile name.
  cat >"$ctx/Dockerfile" <<DOCKER
FROM nodescope-rig/base:1
COPY hostile-trees.sh /hostile-trees.sh
RUN . /hostile-trees.sh && image
RUN rm "/hostile/gone-\$(printf 'n\\nFORGED\\033[31m')"
COPY hostile.sh /hostile.sh
ENTRYPOINT ["/bin/sh", "/hostile.sh", "run"]
LABEL nodescope.hostile=$sum
DOCKER
  DOCKER_BUILDKIT=0 docker build -q -t "$HOSTILE_IMAGE" "$ctx" >/dev/null 2>&1 \
    || { DOCKER_BUILDKIT=0 docker build -t "$HOSTILE_IMAGE" "$ctx" >&2; exit 1; }
  rm -rf "$ctx"
  flock -u 9
}

run_container() { # name, args...
  local name=$1; shift
  if [ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" = true ]; then return; fi
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker run -d --name "$name" --label nodescope.rig=1 --network none "$@" >/dev/null
}

start_containers() {
  # Limits, capabilities changed both ways, no-new-privileges, its own hostname; image with whiteout+opaque.
  run_container nodescope-rig-limited --hostname limited-host --memory 64m --pids-limit 50 --cpus 0.5 \
    --cap-drop NET_RAW --cap-add SYS_PTRACE --security-opt no-new-privileges \
    nodescope-rig/layers:1 sleep 1000000
  # Read-only root with a sized tmpfs; shares the base layer with the first through a different image.
  run_container nodescope-rig-readonly --hostname ro-host --read-only --tmpfs /tmp:size=16m \
    nodescope-rig/other:1 sleep 1000000
  # Shares the host's PID namespace.
  run_container nodescope-rig-hostpid --hostname hostpid-host --pid host \
    nodescope-rig/layers:1 sleep 1000000
  # No shell, no tools: the debug shell's target.
  run_container nodescope-rig-distroless --hostname distroless-host nodescope-rig/distroless:1
}

start_bare() {
  mkdir -p "$STATE"
  if [ -f "$STATE/bare.pid" ] && kill -0 "$(cat "$STATE/bare.pid")" 2>/dev/null; then return; fi
  local d=$STATE/bare
  mkdir -p "$d"/{lower1,lower2,upper,work,merged}
  if ! mountpoint -q "$d/merged"; then
    rm -rf "$d"/lower1/* "$d"/lower2/* "$d"/upper/* "$d"/work/*
    mkdir -p "$d"/lower1/{bin,proc,etc,tmp} "$d/lower2/etc"
    cp "$(command -v busybox)" "$d/lower1/bin/busybox"
    for a in sh sleep hostname cat ls; do ln -sf busybox "$d/lower1/bin/$a"; done
    echo lower1 >"$d/lower1/etc/which"
    echo lower2 >"$d/lower2/etc/which"
    mount -t overlay nodescope-rig-bare -o "lowerdir=$d/lower2:$d/lower1,upperdir=$d/upper,workdir=$d/work" "$d/merged"
  fi
  # Its own memory cgroup (v1 here; v2 when that is all the host has).
  local cg
  if [ -d /sys/fs/cgroup/memory ]; then
    cg=$BARE_CG_V1; mkdir -p "$cg"; echo $((32 * 1024 * 1024)) >"$cg/memory.limit_in_bytes"
  else
    cg=$BARE_CG_V2; mkdir -p "$cg"; echo $((32 * 1024 * 1024)) >"$cg/memory.max"
  fi
  # New pid, mount, uts and ipc namespaces; the child (PID 1 inside) chroots into the overlay.
  setsid sh -c "echo \$\$ >$cg/cgroup.procs; exec unshare --pid --mount --uts --ipc --fork --kill-child \
    --root=$d/merged sh -c 'hostname bare-host; exec sleep 1000000'" </dev/null >/dev/null 2>&1 &
  echo $! >"$STATE/bare.launcher"
  for _ in $(seq 1 50); do
    local child; child=$(pgrep -f -n '^sleep 1000000$' -P "$(pgrep -P "$(cat "$STATE/bare.launcher")" -n 2>/dev/null || echo 0)" 2>/dev/null || true)
    [ -z "$child" ] && child=$(pgrep -P "$(cat "$STATE/bare.launcher")" -n 2>/dev/null || true)
    if [ -n "$child" ] && grep -q 'NSpid:.*\s1$' "/proc/$child/status" 2>/dev/null; then echo "$child" >"$STATE/bare.pid"; return; fi
    sleep 0.1
  done
  echo "rig: bare container did not start" >&2; exit 1
}

# A containerd of its own at the default paths (/run/containerd, /var/lib/containerd; Docker's sits under
# /var/run/docker/containerd), with the base image imported from Docker and two containers run by ctr:
# one annotated as the CRI plugin annotates a Kubernetes pod's container, one plain. ctr gives each a new
# network namespace with only a loopback that stays down.

start_containerd() {
  need containerd; need ctr
  if ! ctr_ version >/dev/null 2>&1; then
    log "starting containerd"
    mkdir -p /var/lib/containerd /run/containerd "$STATE"
    nohup containerd --address "$CTRD_SOCK" --root /var/lib/containerd --state /run/containerd \
      >/var/log/nodescope-containerd.log 2>&1 &
    echo $! >"$STATE/containerd.pid"
    for _ in $(seq 1 100); do ctr_ version >/dev/null 2>&1 && break; sleep 0.2; done
    ctr_ version >/dev/null 2>&1 || { echo "rig: containerd did not start; see /var/log/nodescope-containerd.log" >&2; exit 1; }
  fi
  for ns in k8s.io default; do
    ctr_ -n "$ns" images ls -q | grep -qx "$CTR_IMAGE" || docker save nodescope-rig/base:1 | ctr_ -n "$ns" images import - >/dev/null
  done
  ctr_task k8s.io nodescope-rig-k8s --memory-limit $((48 * 1024 * 1024)) --label nodescope.rig=1 \
    --annotation io.kubernetes.cri.sandbox-name=web-0 --annotation io.kubernetes.cri.sandbox-namespace=shop \
    --annotation io.kubernetes.cri.sandbox-uid=uid-web-0 --annotation io.kubernetes.cri.container-name=app \
    --annotation io.kubernetes.cri.image-name="$CTR_IMAGE" "$CTR_IMAGE" nodescope-rig-k8s sleep 1000000
  ctr_task default nodescope-rig-ctr --label nodescope.rig=1 "$CTR_IMAGE" nodescope-rig-ctr sleep 1000000
}

# ctr_task NS ID RUN-ARGS...: the container's task running, or the container made anew. A containerd
# that was killed keeps its containers but not their tasks, and `ctr run` refuses an existing container.
ctr_task() {
  local ns=$1 id=$2; shift 2
  if ctr_ -n "$ns" task ls 2>/dev/null | awk -v id="$id" '$1 == id { print $3 }' | grep -qx RUNNING; then return; fi
  ctr_ -n "$ns" task kill -s SIGKILL "$id" >/dev/null 2>&1 || true
  ctr_ -n "$ns" task rm -f "$id" >/dev/null 2>&1 || true
  ctr_ -n "$ns" containers rm "$id" >/dev/null 2>&1 || true
  ctr_ -n "$ns" run -d "$@" >/dev/null
}

stop_containerd() {
  command -v ctr >/dev/null && ctr_ version >/dev/null 2>&1 || return 0
  for pair in k8s.io:nodescope-rig-k8s default:nodescope-rig-ctr; do
    local ns=${pair%%:*} id=${pair#*:}
    ctr_ -n "$ns" task kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    for _ in $(seq 1 20); do ctr_ -n "$ns" task rm "$id" >/dev/null 2>&1 && break; sleep 0.1; done
    ctr_ -n "$ns" containers rm "$id" >/dev/null 2>&1 || true
  done
  # Only a containerd this rig started is stopped.
  if [ -f "$STATE/containerd.pid" ]; then kill "$(cat "$STATE/containerd.pid")" 2>/dev/null || true; fi
}

start_netns() {
  ip netns list 2>/dev/null | grep -q '^nodescope-rig-held' || ip netns add nodescope-rig-held
}

down() {
  docker ps -aq --filter label=nodescope.rig=1 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker ps -aq --filter label=nodescope.hostile=1 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker rmi "$HOSTILE_IMAGE" >/dev/null 2>&1 || true
  stop_containerd
  if [ -f "$STATE/bare.launcher" ]; then kill -9 "$(cat "$STATE/bare.launcher")" 2>/dev/null || true; fi
  if [ -f "$STATE/bare.pid" ]; then kill -9 "$(cat "$STATE/bare.pid")" 2>/dev/null || true; fi
  sleep 0.2
  umount "$STATE/bare/merged" 2>/dev/null || true
  rmdir "$BARE_CG_V1" "$BARE_CG_V2" 2>/dev/null || true
  ip netns delete nodescope-rig-held 2>/dev/null || true
  rm -rf "$STATE"
}

if [ "${1:-}" = --down ]; then down; exit 0; fi
[ "$(id -u)" = 0 ] || { echo "rig: needs root" >&2; exit 1; }
start_dockerd
build_images
build_hostile
start_containers
start_bare
start_containerd
start_netns
echo "BARE_PID=$(cat "$STATE/bare.pid")"
echo "BARE_ROOT=$STATE/bare"
echo "NETNS=/run/netns/nodescope-rig-held"
for n in limited readonly hostpid distroless; do echo "DOCKER_${n^^}=$(docker inspect -f '{{.Id}}' nodescope-rig-$n)"; done
echo "CONTAINERD_SOCK=$CTRD_SOCK"
echo "HOSTILE_IMAGE=$HOSTILE_IMAGE"
