#!/bin/bash
# Runs in the lab guest, started by the image's /init.sh (PID 1) with the repo shared read-only
# at /mnt/repo and the results folder at /mnt/out (where lab/lab.sh put payload.tar and
# params.json). Starts dockerd, unpacks the payload, then runs the probe driver.
# Everything it prints goes to the serial console, which lab/lab.sh shows as progress.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C
up() { cut -d' ' -f1 /proc/uptime; }
say() { printf '[guest %6ss] %s\n' "$(up)" "$*"; }

say "userspace up: kernel $(uname -r), AppArmor enabled: $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null || echo no)"
# AppArmor denials reach the kernel log through audit's printk fallback (no auditd here), which
# is rate limited by default: lift the limit so the captured log is complete.
echo 0 >/proc/sys/kernel/printk_ratelimit 2>/dev/null || true
echo 10000 >/proc/sys/kernel/printk_ratelimit_burst 2>/dev/null || true

mkdir -p /var/log
# overlay2 on the ext4 root; iptables from docker.io's dependencies (published ports)
dockerd --log-level=warn >/var/log/dockerd.log 2>&1 &
for _ in $(seq 1 240); do
  docker info >/dev/null 2>&1 && break
  sleep 0.5
done
if ! docker info >/dev/null 2>&1; then
  say "dockerd did not start; last lines of its log:"
  tail -n 30 /var/log/dockerd.log
  cp /var/log/dockerd.log /mnt/out/ 2>/dev/null
  echo '{"error": "dockerd did not start"}' >/mnt/out/report.json
  exit 1
fi
say "dockerd ready ($(docker version --format '{{.Server.Version}}'), security options: $(docker info --format '{{join .SecurityOptions ","}}'))"

# the hardcompose CLI, the lab and the examples, unpacked onto the disk: node reading hundreds of
# small files over 9p is several times slower under emulation than one tar stream
mkdir -p /opt/hardcompose
tar -C /opt/hardcompose -xf /mnt/out/payload.tar || { say "cannot unpack /mnt/out/payload.tar"; exit 1; }
rm -f /mnt/out/payload.tar
modprobe tun 2>/dev/null   # /dev/net/tun, for services that map it (examples/wireguard)

if [ -f /mnt/out/debug.sh ]; then
  # a one-off script instead of the driver (lab development: HARDCOMPOSE_LAB_DEBUG=FILE)
  bash /mnt/out/debug.sh
  rc=$?
else
  node /opt/hardcompose/lab/guest/driver.js /mnt/out
  rc=$?
fi
say "driver finished (exit $rc)"
cp /var/log/dockerd.log /mnt/out/dockerd.log 2>/dev/null
exit $rc
