#!/usr/bin/env bash
# Make a Docker engine available to the tests, and the image they use.
#
#   scripts/dockerd.sh start [--lease PID]   engine answering `docker info` + test image present
#   scripts/dockerd.sh stop  [--lease PID]   stop the dockerd this script started, if no other
#                                            live lease still needs it
#   scripts/dockerd.sh status
#
# start: when no engine answers, dockerd is started in its own session with stdin/stdout/stderr
# and every other inherited file descriptor detached (all its output goes to $STATE/dockerd.log),
# so it never holds CI's output open. Storage driver: overlay2, falling back to vfs when overlay2
# does not start or cannot run a container (then vfs with --iptables=false as a last resort).
# Then the image hardcompose-test/busybox:latest is imported (no registry is reachable) from a
# rootfs holding /bin/busybox of busybox-static plus a symlink for every applet, and a container
# is run once as a smoke test.
#
# Several test runs may share one engine (several worktrees, several engineers): `start --lease
# PID` registers PID as a user, `stop --lease PID` drops it, and dockerd is stopped only when it
# was started by this script and no live lease remains. A lock serialises start and stop.
#
# Environment:
#   HARDCOMPOSE_DOCKERD_STATE    state dir: pid, log, leases (default /run/hardcompose-dockerd)
#   HARDCOMPOSE_DOCKERD_FLAGS    extra dockerd flags; disables the storage-driver fallback list
#   HARDCOMPOSE_DOCKERD_TIMEOUT  seconds to wait for `docker info` (default 60)
set -euo pipefail

IMAGE=hardcompose-test/busybox:latest
# Bump when the rootfs recipe below changes: an image with another recipe label is re-imported.
RECIPE=1

STATE="${HARDCOMPOSE_DOCKERD_STATE:-/run/hardcompose-dockerd}"
LOG="$STATE/dockerd.log"
PIDFILE="$STATE/dockerd.pid"
LEASES="$STATE/leases"
TIMEOUT="${HARDCOMPOSE_DOCKERD_TIMEOUT:-60}"

say() { printf '[dockerd] %s\n' "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }

show_log() {
  if [ -s "$LOG" ]; then
    say "last lines of $LOG (info lines left out):" >&2
    grep -v 'level=info' "$LOG" | tail -n 25 >&2
  fi
}

engine_up() { timeout 15 docker info >/dev/null 2>&1; }

# running, and not a zombie (nothing may reap dockerd promptly when it is not our child)
alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"
}

our_pid() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  if alive "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
    echo "$pid"
  fi
}

lock() {
  mkdir -p "$STATE" "$LEASES"
  exec 9>"$STATE/lock"
  flock -w 600 9 || die "could not lock $STATE/lock within 600s"
}

live_leases() {
  local f n=0
  for f in "$LEASES"/*; do
    [ -e "$f" ] || continue
    if alive "$(basename "$f")"; then n=$((n + 1)); else rm -f "$f"; fi
  done
  echo "$n"
}

# Start dockerd with the given flags, detached; wait for `docker info`. Returns 1 on failure.
launch() {
  local start=$SECONDS pid=""
  rm -f "$PIDFILE"
  # keep the log from growing without bound across many runs
  if [ "$(stat -c %s "$LOG" 2>/dev/null || echo 0)" -gt 20000000 ]; then mv -f "$LOG" "$LOG.old"; fi
  printf '\n=== %s: dockerd %s\n' "$(date -u +%FT%TZ)" "$*" >>"$LOG"
  (
    # close every inherited descriptor above 2 (our lock among them)
    for fd in "/proc/$BASHPID/fd"/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] && eval "exec $fd>&-"
    done
    exec setsid -w dockerd --pidfile "$PIDFILE" "$@" </dev/null >>"$LOG" 2>&1
  ) &
  local child=$!
  while [ $((SECONDS - start)) -lt "$TIMEOUT" ]; do
    pid=$(our_pid)
    if [ -n "$pid" ] && engine_up; then
      say "dockerd $* up in $((SECONDS - start))s (pid $pid)"
      return 0
    fi
    if [ -z "$pid" ] && ! alive "$child" && [ $((SECONDS - start)) -gt 2 ]; then
      say "dockerd $* exited during start-up" >&2
      show_log
      return 1
    fi
    sleep 0.25
  done
  say "dockerd $* did not answer docker info within ${TIMEOUT}s" >&2
  show_log
  kill_ours
  return 1
}

kill_ours() {
  local pid
  pid=$(our_pid)
  [ -n "$pid" ] || { rm -f "$PIDFILE"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do
    alive "$pid" || break
    sleep 0.25
  done
  if alive "$pid"; then
    say "dockerd (pid $pid) ignored SIGTERM for 30s, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
}

image_ok() {
  [ "$(docker image inspect -f '{{index .Config.Labels "org.hardcompose.test-recipe"}}' "$IMAGE" 2>/dev/null)" = "$RECIPE" ]
}

import_image() {
  image_ok && return 0
  local bb tmp rel target d
  bb=$(command -v busybox) || die "busybox not found (apt-get install busybox-static)"
  if ldd "$bb" >/dev/null 2>&1; then
    die "$bb is dynamically linked; the image needs busybox-static"
  fi
  tmp=$(mktemp -d)
  local root="$tmp/rootfs"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,var/tmp,home,proc,sys,dev,run,srv,data}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  cp "$bb" "$root/bin/busybox"
  # one relative symlink per applet, where busybox --install would put it
  while read -r rel; do
    target="$root/$rel"
    [ -e "$target" ] || [ -L "$target" ] && continue
    d=$(dirname "$rel")
    case "$d" in
      bin) ln -s busybox "$target" ;;
      sbin) ln -s ../bin/busybox "$target" ;;
      usr/bin|usr/sbin) ln -s ../../bin/busybox "$target" ;;
      *) mkdir -p "$root/$d"; ln -s "/bin/busybox" "$target" ;;
    esac
  done < <("$bb" --list-full)
  for a in sh ls cat echo sleep nc wget mkdir touch id; do
    [ -L "$root/bin/$a" ] || [ -L "$root/usr/bin/$a" ] || [ -L "$root/sbin/$a" ] || die "busybox has no applet $a"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000:app:/home/app:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\n' >"$root/etc/group"
  mkdir -p "$root/home/app" && chown 1000:1000 "$root/home/app"
  tar --numeric-owner -C "$root" -cf "$tmp/rootfs.tar" .
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["sh"]' \
    --change "LABEL org.hardcompose.test-recipe=$RECIPE" \
    --message "busybox-static $(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null || echo '?')" \
    "$tmp/rootfs.tar" "$IMAGE" >/dev/null
  rm -rf "$tmp"
  image_ok || die "docker import of $IMAGE failed"
  say "imported $IMAGE"
}

smoke() {
  local out
  out=$(timeout 60 docker run --rm "$IMAGE" echo hardcompose-smoke 2>&1) && [ "$out" = hardcompose-smoke ] && return 0
  say "smoke test 'docker run --rm $IMAGE echo' failed: $out" >&2
  return 1
}

storage_driver() { docker info -f '{{.Driver}}' 2>/dev/null || echo '?'; }

cmd_start() {
  local lease="${1:-}"
  command -v dockerd >/dev/null 2>&1 || die "dockerd not found (scripts/install-system-deps.sh installs docker.io)"
  command -v docker >/dev/null 2>&1 || die "docker client not found"
  lock
  [ -z "$lease" ] || : >"$LEASES/$lease"

  if engine_up; then
    say "engine answering ($(storage_driver)$( [ -n "$(our_pid)" ] && echo ", started by this script"))"
    import_image
    smoke || die "the running engine cannot run $IMAGE (and this script did not start it)"
    return 0
  fi

  # another dockerd may be on its way up (not ours, or a leftover): give it a chance
  if pgrep -x dockerd >/dev/null 2>&1 && [ -z "$(our_pid)" ]; then
    say "a dockerd is running but not answering yet; waiting up to ${TIMEOUT}s"
    local t=$SECONDS
    while [ $((SECONDS - t)) -lt "$TIMEOUT" ] && pgrep -x dockerd >/dev/null 2>&1; do
      if engine_up; then
        import_image; smoke || die "the running engine cannot run $IMAGE"
        return 0
      fi
      sleep 0.5
    done
    pgrep -x dockerd >/dev/null 2>&1 && die "a dockerd that this script did not start is running but not answering docker info"
  fi
  kill_ours

  local attempts=()
  if [ -n "${HARDCOMPOSE_DOCKERD_FLAGS:-}" ]; then
    attempts=("$HARDCOMPOSE_DOCKERD_FLAGS")
  elif grep -qs '"storage-driver"' /etc/docker/daemon.json; then
    attempts=("")
  else
    attempts=("--storage-driver=overlay2" "--storage-driver=vfs" "--storage-driver=vfs --iptables=false")
  fi

  local flags
  for flags in "${attempts[@]}"; do
    # shellcheck disable=SC2086 # flags are words on purpose
    if launch $flags; then
      if import_image && smoke; then
        say "storage driver: $(storage_driver)"
        return 0
      fi
      say "dockerd $flags started but cannot run a container; trying the next configuration" >&2
      show_log
      kill_ours
    fi
  done
  die "could not start a working dockerd (log: $LOG)"
}

cmd_stop() {
  local lease="${1:-}" pid n
  lock
  [ -z "$lease" ] || rm -f "$LEASES/$lease"
  pid=$(our_pid)
  if [ -z "$pid" ]; then
    say "no dockerd started by this script is running; nothing to stop"
    return 0
  fi
  n=$(live_leases)
  if [ "$n" -gt 0 ]; then
    say "dockerd (pid $pid) still used by $n other test run(s); leaving it running"
    return 0
  fi
  kill_ours
  say "stopped dockerd (pid $pid)"
}

cmd_status() {
  mkdir -p "$LEASES"
  if engine_up; then
    say "engine answering; storage driver $(storage_driver); started by this script: $( [ -n "$(our_pid)" ] && echo "yes (pid $(our_pid))" || echo no); live leases: $(live_leases)"
  else
    say "no engine answering"
    return 1
  fi
}

action="${1:-}"
shift || true
lease=""
if [ "${1:-}" = "--lease" ]; then
  lease="${2:?--lease needs a PID}"
  case "$lease" in *[!0-9]*) die "--lease needs a numeric PID" ;; esac
fi

case "$action" in
  start) cmd_start "$lease" ;;
  stop) cmd_stop "$lease" ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status [--lease PID]" >&2; exit 2 ;;
esac
