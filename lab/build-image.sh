#!/usr/bin/env bash
# Build (or reuse) the enforcement lab's guest: a Debian bookworm disk image with AppArmor,
# Docker, busybox, node and docker compose, booted by lab/lab.sh under qemu (see ../shared/LAB.md).
#
#   bash lab/build-image.sh CACHE_DIR      prints the image directory on its last stdout line
#
# The image directory holds disk.img (raw ext4, booted with -snapshot so it never changes),
# vmlinuz and initrd.img. It is named by a key: the sha256 of this script, of the node binary
# and of the docker compose plugin copied into it. A rerun with the same key reuses it (0 s);
# any change to this script or to those binaries builds a new one and deletes the old ones.
# Building: debootstrap (about 1.5 min and 1.1 GB on these machines) + mkfs.ext4 -d (no loop
# devices, no mounts). Output goes to CACHE_DIR/build.log; its tail is shown on failure.
#
# What is baked in stays small on purpose: packages, the two binaries and a tiny /init.sh that
# mounts the basics and the 9p shares and hands over to lab/guest/boot.sh from the repo share.
# Everything else the guest runs comes from the share, so editing the lab does not rebuild this.
#
# Environment:
#   HARDCOMPOSE_DEBIAN_MIRROR   mirror for debootstrap (default: the system's bookworm source)
#   HARDCOMPOSE_LAB_NODE        node binary for the guest (default: `command -v node`)
#   HARDCOMPOSE_LAB_COMPOSE     docker compose plugin (default: the one `docker compose` runs)
set -euo pipefail

CACHE="${1:?usage: build-image.sh CACHE_DIR}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"
LOG="$CACHE/build.log"
SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"

PACKAGES=linux-image-amd64,initramfs-tools,apparmor,docker.io,busybox-static,iproute2,kmod,procps

say() { printf '[lab-image] %s\n' "$*" >&2; }
die() {
  say "ERROR: $*"
  if [ -s "$LOG" ]; then say "last lines of $LOG:"; tail -n 30 "$LOG" >&2; fi
  exit 1
}

# debian_mirror: shared with scripts/install-system-deps.sh.
. "$(dirname "$SELF")/../scripts/debian-mirror.sh"

NODE="${HARDCOMPOSE_LAB_NODE:-$(command -v node || true)}"
[ -n "$NODE" ] && NODE="$(readlink -f "$NODE")"
[ -x "$NODE" ] || die "no node binary to copy into the guest (set HARDCOMPOSE_LAB_NODE)"
COMPOSE="${HARDCOMPOSE_LAB_COMPOSE:-}"
if [ -z "$COMPOSE" ]; then
  for c in "${DOCKER_CONFIG:-${HOME:-/root}/.docker}/cli-plugins/docker-compose" \
           /usr/local/lib/docker/cli-plugins/docker-compose /usr/libexec/docker/cli-plugins/docker-compose \
           /usr/lib/docker/cli-plugins/docker-compose; do
    if [ -x "$c" ]; then COMPOSE="$c"; break; fi
  done
fi
[ -x "$COMPOSE" ] || die "no docker compose v2 plugin to copy into the guest (scripts/install-system-deps.sh installs one)"

KEY=$( { sha256sum "$SELF" | cut -d' ' -f1; sha256sum "$NODE" | cut -d' ' -f1; sha256sum "$COMPOSE" | cut -d' ' -f1; } | sha256sum | cut -c1-16)
IMAGE="$CACHE/image-$KEY"

if [ -s "$IMAGE/disk.img" ] && [ -s "$IMAGE/vmlinuz" ] && [ -s "$IMAGE/initrd.img" ]; then
  say "guest image: cached ($IMAGE)"
  echo "$IMAGE"
  exit 0
fi

exec 9>"$CACHE/build.lock"
flock -w 1200 9 || die "could not lock $CACHE/build.lock"
if [ -s "$IMAGE/disk.img" ]; then echo "$IMAGE"; exit 0; fi   # built by a concurrent run

command -v debootstrap >/dev/null || die "debootstrap not found (apt-get install debootstrap)"
command -v mkfs.ext4 >/dev/null || die "mkfs.ext4 not found (apt-get install e2fsprogs)"
[ "$(id -u)" -eq 0 ] || die "building the guest needs root (debootstrap)"

MIRROR="${HARDCOMPOSE_DEBIAN_MIRROR:-$(debian_mirror)}"
WORK="$CACHE/build.$$"
ROOTFS="$WORK/rootfs"
cleanup() {
  # debootstrap mounts proc/sys in the target and normally unmounts them; make sure, then delete
  local m
  for m in $(awk -v r="$ROOTFS" '$2 ~ "^"r { print $2 }' /proc/mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK"
: >"$LOG"

start=$SECONDS
say "guest image: building $IMAGE (debootstrap bookworm from $MIRROR; log: $LOG)"
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$ROOTFS" "$MIRROR" </dev/null >>"$LOG" 2>&1 \
  || die "debootstrap failed"
say "debootstrap done in $((SECONDS - start))s"

# the two binaries: the host's node (the CLI needs Node >= 20; bookworm ships 18) and compose v2
install -m 755 "$NODE" "$ROOTFS/usr/local/bin/node"
install -d "$ROOTFS/usr/libexec/docker/cli-plugins"
install -m 755 "$COMPOSE" "$ROOTFS/usr/libexec/docker/cli-plugins/docker-compose"
chroot "$ROOTFS" /usr/local/bin/node --version >>"$LOG" 2>&1 || die "the host's node does not run in the guest rootfs"

# PID 1: no systemd in a minbase guest. Mount what Docker and AppArmor need, the two 9p shares
# (repo: read-only, out: results), run the lab from the repo share, power off whatever happens.
cat >"$ROOTFS/init.sh" <<'EOF'
#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
# the initramfs has already moved /proc, /sys and /dev here
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t securityfs securityfs /sys/kernel/security
mount -t cgroup2 cgroup2 /sys/fs/cgroup
ip link set lo up
hostname lab
modprobe -a 9pnet_virtio 9p
mkdir -p /mnt/repo /mnt/out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro repo /mnt/repo
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /mnt/out
if [ -x /mnt/repo/lab/guest/boot.sh ] || [ -f /mnt/repo/lab/guest/boot.sh ]; then
  /bin/bash /mnt/repo/lab/guest/boot.sh </dev/console >/dev/console 2>&1
else
  echo "lab: /mnt/repo/lab/guest/boot.sh not found (is the repo shared?)" >/dev/console
fi
sync
busybox poweroff -f
EOF
chmod 755 "$ROOTFS/init.sh"
echo lab >"$ROOTFS/etc/hostname"
printf '127.0.0.1 localhost lab\n' >"$ROOTFS/etc/hosts"

cp "$(ls "$ROOTFS"/boot/vmlinuz-* | sort -V | tail -n 1)" "$WORK/vmlinuz"
cp "$(ls "$ROOTFS"/boot/initrd.img-* | sort -V | tail -n 1)" "$WORK/initrd.img"
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*

truncate -s 4G "$WORK/disk.img"
mkfs.ext4 -q -F -L labroot -d "$ROOTFS" "$WORK/disk.img" >>"$LOG" 2>&1 || die "mkfs.ext4 -d failed"
mkdir -p "$WORK/image"
mv "$WORK/disk.img" "$WORK/vmlinuz" "$WORK/initrd.img" "$WORK/image/"
rm -rf "$IMAGE"
mv "$WORK/image" "$IMAGE"
# only the current image is kept
for old in "$CACHE"/image-*; do
  [ "$old" = "$IMAGE" ] || rm -rf "$old"
done
say "guest image: built in $((SECONDS - start))s"
echo "$IMAGE"
