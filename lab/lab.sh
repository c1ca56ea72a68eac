#!/usr/bin/env bash
# `npm run lab [-- --report FILE] [--capture DIR] [--budget SECONDS]`: the enforcement lab.
#
# Proves in a real AppArmor kernel that the generated profiles deny what they claim and allow
# what the application needs (issue #7). One boot of a Debian guest under qemu (software
# emulation: KVM does not work on these machines, see ../shared/LAB.md):
#   1. setup       qemu-system-x86 and debootstrap from apt when missing; `npm run build`
#   2. image       lab/build-image.sh: cached in .cache/lab/image-<key>/ (cold: ~2.5 min)
#   3. boot        qemu -snapshot, the repo shared read-only over 9p, results over a second share;
#                  logs in .cache/lab/run/ (serial.log is shown here as progress)
#   4. in guest    lab/guest/boot.sh: dockerd, then lab/guest/driver.js: every lab stack and
#                  example under hardcompose (baseline and strict), docker-default and unconfined,
#                  the probe suite of lab/probes.js in every container, the cost of confinement,
#                  and the learn round trip on lab/learn (complain, learn --write, enforce)
#   5. report      lab/report.js: a table here, the JSON at --report FILE
# Exit status: 0 all as expected; 1 a probe not as expected (or the guest failed); 2 bad usage.
# When qemu cannot be installed or started, the lab is skipped (exit 0) with a line saying why.
#
# Options:
#   --report FILE    also write the JSON report to FILE
#   --capture DIR    copy the report, the kernel's AppArmor log lines and the generated profiles
#                    to DIR (lab/captures/ holds such a capture, for log-parsing tests)
#   --budget SEC     whole-run budget in seconds (default 1080: CI allows 19 minutes); the guest
#                    skips rounds it cannot finish, qemu is stopped when it runs out
# Environment:
#   HARDCOMPOSE_LAB_CACHE     cache dir (default <repo>/.cache/lab)
#   HARDCOMPOSE_LAB_NO_BUILD=1  do not run `npm run build` first
#   HARDCOMPOSE_LAB_SMP, HARDCOMPOSE_LAB_MEM   guest CPUs (default 2) and MiB (default 2048)
#   HARDCOMPOSE_LAB_STACKS=a,b  only these stacks (lab development: lab/stacks/strict,lab/learn)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
START=$SECONDS
REPORT=""
CAPTURE=""
BUDGET=1080
while [ $# -gt 0 ]; do
  case "$1" in
    --report) REPORT="${2:?--report needs a file}"; shift 2 ;;
    --report=*) REPORT="${1#*=}"; shift ;;
    --capture) CAPTURE="${2:?--capture needs a folder}"; shift 2 ;;
    --capture=*) CAPTURE="${1#*=}"; shift ;;
    --budget) BUDGET="${2:?--budget needs seconds}"; shift 2 ;;
    --budget=*) BUDGET="${1#*=}"; shift ;;
    -h|--help) sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "lab: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done
case "$REPORT" in ''|/*) ;; *) REPORT="${INIT_CWD:-$ROOT}/$REPORT" ;; esac
case "$CAPTURE" in ''|/*) ;; *) CAPTURE="${INIT_CWD:-$ROOT}/$CAPTURE" ;; esac

CACHE="${HARDCOMPOSE_LAB_CACHE:-$ROOT/.cache/lab}"
RUN="$CACHE/run"
say() { printf '[lab %4ss] %s\n' "$((SECONDS - START))" "$*"; }
skip() { say "SKIP: $*"; exit 0; }
die() { say "ERROR: $*" >&2; exit 1; }

# ------------------------------------------------------------------------------------ 1. setup
need=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
if [ "${#need[@]}" -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || skip "qemu/debootstrap missing and not root: apt-get install ${need[*]}"
  say "installing ${need[*]} (log: $CACHE/apt.log)"
  mkdir -p "$CACHE"
  export DEBIAN_FRONTEND=noninteractive
  apt_opts=(-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)
  if ! apt-get "${apt_opts[@]}" install --no-install-recommends "${need[@]}" </dev/null >"$CACHE/apt.log" 2>&1; then
    apt-get "${apt_opts[@]}" update </dev/null >>"$CACHE/apt.log" 2>&1 || true
    apt-get "${apt_opts[@]}" install --no-install-recommends "${need[@]}" </dev/null >>"$CACHE/apt.log" 2>&1 \
      || skip "could not install ${need[*]} (see $CACHE/apt.log)"
  fi
fi
qemu-system-x86_64 -accel help 2>/dev/null | grep -qx tcg || skip "qemu-system-x86_64 cannot run (no TCG accelerator)"

if [ "${HARDCOMPOSE_LAB_NO_BUILD:-}" != 1 ]; then
  say "npm run build"
  npm run --silent build
fi
[ -f dist/src/commands/generate.js ] || die "dist/ is missing: run npm run build"

# ------------------------------------------------------------------------------------ 2. image
IMAGE=$(bash lab/build-image.sh "$CACHE" | tail -n 1)
[ -s "$IMAGE/disk.img" ] || die "no guest image"

# ------------------------------------------------------------------------------------ 3. boot
rm -rf "$RUN"
mkdir -p "$RUN/out"
left=$((BUDGET - (SECONDS - START)))
# the guest's own budget: what is left minus boot (~1 min under emulation) and a margin
guest_budget=$((left - 120))
[ "$guest_budget" -ge 180 ] || die "only ${left}s of the ${BUDGET}s budget left after building the image"
stacks_json=""
if [ -n "${HARDCOMPOSE_LAB_STACKS:-}" ]; then
  stacks_json=", \"stacks\": $(printf '%s' "$HARDCOMPOSE_LAB_STACKS" | node -e 'process.stdout.write(JSON.stringify(require("fs").readFileSync(0, "utf8").split(",").filter(Boolean)))')"
fi
printf '{"budgetSec": %d, "benchRuns": %d, "benchIterations": %d, "parallel": %d%s}\n' \
  "$guest_budget" "${HARDCOMPOSE_LAB_BENCH_RUNS:-7}" "${HARDCOMPOSE_LAB_BENCH_ITERATIONS:-100}" "${HARDCOMPOSE_LAB_PARALLEL:-3}" \
  "$stacks_json" >"$RUN/out/params.json"

# what the guest runs: the CLI as built (dist/, bin/, templates, runtime node_modules), the lab
# and the examples, as one tar (node over 9p is slow under emulation; the guest unpacks it)
tar -C "$ROOT" -cf "$RUN/out/payload.tar" \
  --exclude=node_modules/typescript --exclude='node_modules/@types' --exclude=node_modules/.cache \
  --exclude=lab/captures \
  package.json bin dist/src templates node_modules lab examples \
  $( [ -f oclif.manifest.json ] && echo oclif.manifest.json )
if [ -n "${HARDCOMPOSE_LAB_DEBUG:-}" ]; then cp "$HARDCOMPOSE_LAB_DEBUG" "$RUN/out/debug.sh"; fi

APPEND="console=ttyS0 root=/dev/vda rw apparmor=1 security=apparmor audit=1 init=/init.sh quiet loglevel=3 fsck.mode=skip panic=1 log_buf_len=8M"
qemu_pid=""
tail_pid=""
# shellcheck disable=SC2317 # invoked by the trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid" 2>/dev/null || true
    sleep 1
    kill -9 "$qemu_pid" 2>/dev/null || true
  fi
  if [ -n "$tail_pid" ]; then kill "$tail_pid" 2>/dev/null || true; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

say "booting the guest (qemu TCG, ${HARDCOMPOSE_LAB_SMP:-2} CPUs, ${HARDCOMPOSE_LAB_MEM:-2048} MiB; logs in $RUN)"
: >"$RUN/serial.log"
setsid qemu-system-x86_64 \
  -accel tcg,thread=multi -cpu max -smp "${HARDCOMPOSE_LAB_SMP:-2}" -m "${HARDCOMPOSE_LAB_MEM:-2048}" \
  -nodefaults -no-reboot -display none -monitor none \
  -serial "file:$RUN/serial.log" \
  -kernel "$IMAGE/vmlinuz" -initrd "$IMAGE/initrd.img" -append "$APPEND" \
  -drive "file=$IMAGE/disk.img,format=raw,if=virtio,snapshot=on" \
  -virtfs "local,path=$ROOT,mount_tag=repo,security_model=none,readonly=on" \
  -virtfs "local,path=$RUN/out,mount_tag=out,security_model=none" \
  </dev/null >"$RUN/qemu.log" 2>&1 &
qemu_pid=$!
# progress: the guest's lines, as they come (tail ends by itself when qemu does)
tail --pid="$qemu_pid" -n +1 -F "$RUN/serial.log" 2>/dev/null | sed -u -e 's/\r$//' -e '/^[[:space:]]*$/d' -e 's/^/  | /' &
tail_pid=$!

boot_start=$SECONDS
deadline=$((START + BUDGET - 15))
while kill -0 "$qemu_pid" 2>/dev/null; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    say "budget of ${BUDGET}s reached: stopping the guest"
    kill "$qemu_pid" 2>/dev/null || true
    break
  fi
  sleep 2
done
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=""
sleep 1
kill "$tail_pid" 2>/dev/null || true
tail_pid=""
say "guest finished in $((SECONDS - boot_start))s"
[ -s "$RUN/qemu.log" ] && { say "qemu said:"; sed 's/^/  qemu| /' "$RUN/qemu.log" | tail -n 20; }

# ------------------------------------------------------------------------------------ 5. report
if [ -n "$CAPTURE" ] && [ -s "$RUN/out/report.json" ]; then
  mkdir -p "$CAPTURE"
  cp "$RUN/out/report.json" "$CAPTURE/report.json"
  [ -f "$RUN/out/apparmor.log" ] && cp "$RUN/out/apparmor.log" "$CAPTURE/apparmor.log"
  [ -f "$RUN/out/learn-complain.log" ] && cp "$RUN/out/learn-complain.log" "$CAPTURE/learn-complain.log"
  [ -d "$RUN/out/generated" ] && rm -rf "$CAPTURE/generated" && cp -r "$RUN/out/generated" "$CAPTURE/generated"
  say "capture written to $CAPTURE"
fi
set +e
node lab/report.js "$RUN/out/report.json" ${REPORT:+--report "$REPORT"}
rc=$?
set -e
say "done in $((SECONDS - START))s"
[ "$rc" -eq 2 ] && rc=1
exit "$rc"
