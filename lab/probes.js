// The enforcement lab's probe suite: what an attacker inside a container tries, and what the
// application itself needs, each with the outcome hardcompose must give. Data only (plus one
// pure function): lab/guest/driver.js runs these inside the guest, test/lab-report.test.ts
// checks the definitions without booting anything.
//
// A probe is one attempt. Its outcome is what the kernel did, never what a profile says:
//   - `kind: 'exec'`: `script` runs as `sh -c` (busybox ash) inside the running container through
//     `docker exec`, so it runs under the container's AppArmor profile. Exit 0 means the attempt
//     succeeded ("allowed"). Otherwise the errno in its output decides: EACCES (what AppArmor
//     returns), EPERM (capabilities, seccomp, the kernel's own checks), EROFS (a read-only mount
//     Docker put in the way), or the word `masked` printed by the script when Docker's /dev/null
//     mask hid the target: all "denied". Any other failure is "error": the probe did not test
//     what it claims, and the lab says so instead of counting it as a denial.
//   - `kind: 'host'`: the driver checks from the guest, outside the container (`serve`: connect
//     to the port and get an HTTP answer; `command`: the container's command is still running;
//     `restart`: restart the container and read its new PID 1's label in /proc/<pid>/attr/current).
//
// Exec probes run in the AppArmor label of the container's main process, i.e. where code that
// compromised the application runs. `docker exec` normally gets that label too, but Docker does
// not apply it to exec'd processes of a privileged container (they run unconfined); the driver
// then moves the probe shell into the main process's label first (/proc/self/attr/exec, allowed
// from unconfined) and reports that it had to.
//
// Payloads are harmless even where nothing stops them (the `unconfined` column, in a privileged
// container): sysrq `h` only prints help to the kernel log, core_pattern and the /sys/kernel file
// are written back with their current value, mounts are tmpfs or private cgroup hierarchies in
// the container's own mount namespace, signals are SIGURG (ignored by default), memory is read,
// never written. Files dropped into the container are removed again.
//
// `applies` names the facts about the service (computed by the driver from `docker compose config`
// and the declared level) that must all hold for the probe to run there; `all` runs everywhere.
// roMount: a read-only mount that is not a unix socket (or a secret); roAny: any read-only mount;
// writable: a writable volume or a tmpfs. A script that finds nothing to test exits 2 (an error,
// never a silent "allowed").
// The environment the scripts read (LAB_*) is set by the driver from the same facts.

/** Threat classes of the seed threat model, plus the application's own needs. */
export const THREATS = ['escape', 'lateral', 'data', 'function'];

/**
 * Report columns. `hardcompose` repeats the column of the level the project declares (the one
 * `expect` is about); both levels are always run.
 */
export const POLICIES = ['hardcompose', 'hardcompose-baseline', 'hardcompose-strict', 'docker-default', 'unconfined'];

/** Facts a probe may require; see applicableProbes(). */
export const CONDITIONS = ['all', 'sysAdmin', 'privileged', 'noRaw', 'strict', 'pidHost', 'roMount', 'roAny', 'rwVolume', 'tmpfs', 'writable', 'port', 'peer'];

/** @typedef {{id: string, threat: 'escape'|'lateral'|'data'|'function', expect: 'deny'|'allow',
 *   applies: string | string[], kind: 'exec'|'host', title: string, script?: string, check?: string}} Probe */

/** @type {Probe[]} */
export const PROBES = [
  // ---------------------------------------------------------------- escape: kernel interfaces
  {
    id: 'sysrq-trigger-write', threat: 'escape', expect: 'deny', applies: 'all', kind: 'exec',
    title: 'write /proc/sysrq-trigger (payload h: help text only); with SYS_ADMIN, unmount Docker\'s read-only bind first',
    script: `umount /proc/sysrq-trigger 2>/dev/null
echo h > /proc/sysrq-trigger`,
  },
  {
    id: 'core-pattern-write', threat: 'escape', expect: 'deny', applies: 'all', kind: 'exec',
    title: 'write /proc/sys/kernel/core_pattern (its current value back); with SYS_ADMIN, unmount the read-only /proc/sys first',
    script: `umount /proc/sys 2>/dev/null
v=$(cat /proc/sys/kernel/core_pattern) || exit 1
printf '%s\\n' "$v" > /proc/sys/kernel/core_pattern`,
  },
  {
    id: 'sys-kernel-write', threat: 'escape', expect: 'deny', applies: 'all', kind: 'exec',
    title: 'write a file under /sys/kernel (uevent_helper or another writable knob, its current value back); with SYS_ADMIN, remount /sys read-write first',
    script: `mount -o remount,rw /sys 2>/dev/null
for f in /sys/kernel/uevent_helper /sys/kernel/mm/ksm/run /sys/kernel/mm/transparent_hugepage/defrag; do
  [ -e "$f" ] || continue
  v=$(cat "$f") || exit 1
  case "$v" in *\\[*) v=\${v#*[}; v=\${v%%]*};; esac
  echo "writing '$v' to $f" >&2
  printf '%s\\n' "$v" > "$f"; exit $?
done
echo "no candidate file under /sys/kernel" >&2; exit 2`,
  },
  {
    id: 'kcore-read', threat: 'escape', expect: 'deny', applies: 'all', kind: 'exec',
    title: 'read kernel memory from /proc/kcore (4 KiB); with SYS_ADMIN, unmount Docker\'s /dev/null mask first',
    script: `umount /proc/kcore 2>/dev/null
head -c 1 /proc/kcore >/dev/null || exit 1
n=$(head -c 4096 /proc/kcore | wc -c)
[ "$n" -gt 0 ] || { echo "masked: /proc/kcore read 0 bytes (Docker mounts /dev/null over it)" >&2; exit 1; }
echo "read $n bytes of kernel memory" >&2`,
  },
  {
    id: 'change-profile-unconfined', threat: 'escape', expect: 'deny', applies: 'all', kind: 'exec',
    title: 'leave the profile: write "changeprofile unconfined" to /proc/<own pid>/attr/current',
    script: `sh -c 'echo "changeprofile unconfined" > /proc/$$/attr/current'`,
  },
  {
    id: 'mount-tmpfs', threat: 'escape', expect: 'deny', applies: 'sysAdmin', kind: 'exec',
    title: 'mount a tmpfs on /mnt in a service given SYS_ADMIN (the capability allows it; MAC must not)',
    script: `mount -t tmpfs lab /mnt || exit 1
umount /mnt`,
  },
  {
    id: 'cgroup-release-agent', threat: 'escape', expect: 'deny', applies: 'sysAdmin', kind: 'exec',
    title: 'CVE-2022-0492 chain: mount a private cgroup v1 hierarchy and write its release_agent (notify_on_release stays 0)',
    script: `mount -t cgroup -o none,name=hclab cgroup /mnt || exit 1
echo /bin/true > /mnt/release_agent; rc=$?
umount /mnt
exit $rc`,
  },
  {
    id: 'signal-host-process', threat: 'escape', expect: 'deny', applies: 'pidHost', kind: 'exec',
    title: 'send a signal (SIGURG, ignored) to a host process outside any container',
    script: `kill -URG "$LAB_HOST_PID"`,
  },
  {
    id: 'restart-unconfined', threat: 'escape', expect: 'deny', applies: 'privileged', kind: 'host', check: 'restart',
    // No profile can fix this: Docker records a privileged container's profile as unconfined
    // (moby saveAppArmorConfig). hardcompose's answer is in `up`: it refuses privileged services
    // under AppArmor unless --allow-unconfined (which the lab passes for this stack), and says why.
    known: 'Docker runs a restarted privileged container unconfined; hardcompose up refuses privileged services without --allow-unconfined',
    title: 'get the container restarted (crash it: its restart policy, or a reboot, brings it back): does its new PID 1 still run in the profile?',
  },
  {
    id: 'exec-dropped-tmp', threat: 'escape', expect: 'deny', applies: 'strict', kind: 'exec',
    title: 'drop a binary in /tmp and run it (strict: no exec from writable paths)',
    script: `cp /bin/busybox /tmp/busybox-lab-dropped || exit 1
/tmp/busybox-lab-dropped true; rc=$?
rm -f /tmp/busybox-lab-dropped
exit $rc`,
  },
  {
    id: 'exec-dropped-volume', threat: 'escape', expect: 'deny', applies: ['strict', 'writable'], kind: 'exec',
    title: 'drop a binary in each writable volume and tmpfs and run it (strict; Docker mounts tmpfs noexec already)',
    script: `[ -n "$LAB_RW$LAB_TMPFS" ] || { echo "no writable volume or tmpfs" >&2; exit 2; }
ran=0
for d in $LAB_RW $LAB_TMPFS; do
  cp /bin/busybox "$d/busybox-lab-dropped" || exit 1
  if "$d/busybox-lab-dropped" true; then echo "ran a dropped binary from $d" >&2; ran=1; fi
  rm -f "$d/busybox-lab-dropped"
done
[ $ran -eq 1 ]`,
  },

  // ---------------------------------------------------------------- lateral movement
  {
    id: 'raw-socket', threat: 'lateral', expect: 'deny', applies: 'noRaw', kind: 'exec',
    title: 'open a raw ICMP socket (traceroute), in a service that did not ask for NET_RAW',
    script: `traceroute -n -m 1 -q 1 -w 1 127.0.0.1`,
  },
  {
    id: 'packet-socket', threat: 'lateral', expect: 'deny', applies: 'noRaw', kind: 'exec',
    title: 'open a packet socket (arping: ARP spoofing, sniffing), in a service that did not ask for NET_RAW',
    script: `out=$(arping -c 1 -w 1 -I eth0 "$LAB_GW" 2>&1); echo "$out" >&2
echo "$out" | grep -q '^ARPING'`,
  },
  {
    id: 'peer-environ-read', threat: 'lateral', expect: 'deny', applies: 'pidHost', kind: 'exec',
    title: 'read another service\'s /proc/<pid>/environ (its secrets) through pid: host',
    script: `tr '\\0' '\\n' < "/proc/$LAB_PEER_PID/environ" | grep -q '^LAB_SECRET='`,
  },
  {
    id: 'peer-mem-read', threat: 'lateral', expect: 'deny', applies: 'pidHost', kind: 'exec',
    title: 'read another service\'s memory through /proc/<pid>/mem (ptrace read of a peer)',
    script: `a=$(head -n 1 "/proc/$LAB_PEER_PID/maps") || exit 1
a=\${a%%-*}
n=$(dd if="/proc/$LAB_PEER_PID/mem" bs=4096 skip=$((0x$a / 4096)) count=1 2>/dev/null | wc -c)
[ "$n" -gt 0 ] || { dd if="/proc/$LAB_PEER_PID/mem" bs=4096 skip=$((0x$a / 4096)) count=1 of=/dev/null; exit 1; }`,
  },
  {
    id: 'peer-root-read', threat: 'lateral', expect: 'deny', applies: 'pidHost', kind: 'exec',
    title: 'read a file inside another service\'s container through /proc/<pid>/root',
    script: `grep -q lab-file-secret "/proc/$LAB_PEER_PID/root/tmp/secret"`,
  },
  {
    id: 'signal-peer', threat: 'lateral', expect: 'deny', applies: 'pidHost', kind: 'exec',
    title: 'send a signal (SIGURG, ignored) to another service\'s process',
    script: `kill -URG "$LAB_PEER_PID"`,
  },

  // ---------------------------------------------------------------- data
  {
    id: 'host-environ-read', threat: 'data', expect: 'deny', applies: 'pidHost', kind: 'exec',
    title: 'read a host process\'s /proc/<pid>/environ (a secret in its environment)',
    script: `tr '\\0' '\\n' < "/proc/$LAB_HOST_PID/environ" | grep -q '^LAB_HOST_SECRET='`,
  },
  {
    id: 'host-mem-read', threat: 'data', expect: 'deny', applies: 'pidHost', kind: 'exec',
    title: 'read a host process\'s memory through /proc/<pid>/mem',
    script: `a=$(head -n 1 "/proc/$LAB_HOST_PID/maps") || exit 1
a=\${a%%-*}
n=$(dd if="/proc/$LAB_HOST_PID/mem" bs=4096 skip=$((0x$a / 4096)) count=1 2>/dev/null | wc -c)
[ "$n" -gt 0 ] || { dd if="/proc/$LAB_HOST_PID/mem" bs=4096 skip=$((0x$a / 4096)) count=1 of=/dev/null; exit 1; }`,
  },
  {
    id: 'write-ro-mount', threat: 'data', expect: 'deny', applies: 'roMount', kind: 'exec',
    title: 'write into each read-only mount; with SYS_ADMIN, remount it read-write first (writes the host file)',
    script: `[ -n "$LAB_RO" ] || { echo "no read-only mount" >&2; exit 2; }
for t in $LAB_RO; do
  mount -o remount,rw,bind "$t" 2>/dev/null
  if [ -d "$t" ]; then echo lab > "$t/.lab-probe" || exit 1; rm -f "$t/.lab-probe"
  else printf '' >> "$t" || exit 1; fi
done`,
  },
  {
    id: 'write-image-etc', threat: 'data', expect: 'deny', applies: 'strict', kind: 'exec',
    title: 'tamper with the image: append a comment line to /etc/passwd (strict: writes only to declared paths)',
    script: `echo '# lab' >> /etc/passwd`,
  },
  {
    id: 'write-image-bin', threat: 'data', expect: 'deny', applies: 'strict', kind: 'exec',
    title: 'plant a binary in the image\'s PATH: /usr/bin/.lab-implant (strict)',
    script: `cp /bin/busybox /usr/bin/.lab-implant || exit 1
rm -f /usr/bin/.lab-implant`,
  },

  // ---------------------------------------------------------------- function
  {
    id: 'serve-port', threat: 'function', expect: 'allow', applies: 'port', kind: 'host', check: 'serve',
    title: 'answer HTTP on every declared port (published: on the host port; expose: on the container address)',
  },
  {
    id: 'run-command', threat: 'function', expect: 'allow', applies: 'all', kind: 'host', check: 'command',
    title: 'the service\'s command started and is still running, never restarted',
  },
  {
    id: 'read-ro-mount', threat: 'function', expect: 'allow', applies: 'roAny', kind: 'exec',
    title: 'read every read-only mount (a unix socket, e.g. docker.sock, is only stat\'ed: busybox cannot connect to one)',
    script: `[ -n "$LAB_RO$LAB_RO_SOCKETS" ] || { echo "no read-only mount" >&2; exit 2; }
for t in $LAB_RO_SOCKETS; do [ -S "$t" ] || { echo "$t: not a socket" >&2; exit 1; }; done
for t in $LAB_RO; do
  if [ -d "$t" ]; then ls "$t" >/dev/null || exit 1; f=$(find "$t" -type f | head -n 1); [ -z "$f" ] || cat "$f" >/dev/null || exit 1
  else cat "$t" >/dev/null || exit 1; fi
done`,
  },
  {
    id: 'write-volume', threat: 'function', expect: 'allow', applies: 'rwVolume', kind: 'exec',
    title: 'write, read back and delete a file in every writable volume',
    script: `[ -n "$LAB_RW" ] || { echo "no writable volume" >&2; exit 2; }
for t in $LAB_RW; do
  echo lab > "$t/.lab-probe" && grep -q lab "$t/.lab-probe" && rm "$t/.lab-probe" || exit 1
done`,
  },
  {
    id: 'write-tmpfs', threat: 'function', expect: 'allow', applies: 'tmpfs', kind: 'exec',
    title: 'write, read back and delete a file in every tmpfs',
    script: `[ -n "$LAB_TMPFS" ] || { echo "no tmpfs" >&2; exit 2; }
for t in $LAB_TMPFS; do
  echo lab > "$t/.lab-probe" && grep -q lab "$t/.lab-probe" && rm "$t/.lab-probe" || exit 1
done`,
  },
  {
    id: 'resolve-peer', threat: 'function', expect: 'allow', applies: 'peer', kind: 'exec',
    title: 'resolve another service of the project by name (Docker\'s DNS, UDP)',
    script: `nslookup "$LAB_PEER_NAME" 127.0.0.11`,
  },
  {
    id: 'list-host-processes', threat: 'function', expect: 'allow', applies: 'pidHost', kind: 'exec',
    title: 'what pid: host is for: list the host\'s processes (ps sees dockerd)',
    script: `ps -o pid,comm | grep -q dockerd`,
  },
];

/**
 * The probes that run in one service, given its facts (all booleans except `level`).
 * @param {{level: string, sysAdmin: boolean, privileged: boolean, noRaw: boolean, pidHost: boolean,
 *   roMount: boolean, roAny: boolean, rwVolume: boolean, tmpfs: boolean, port: boolean, peer: boolean}} facts
 * @returns {Probe[]}
 */
export function applicableProbes(facts) {
  /** @param {string} c */
  const holds = (c) => {
    if (c === 'all') return true;
    if (c === 'strict') return facts.level === 'strict';
    if (c === 'writable') return facts.rwVolume || facts.tmpfs;
    return Boolean(/** @type {Record<string, unknown>} */ (facts)[c]);
  };
  return PROBES.filter((p) => (Array.isArray(p.applies) ? p.applies : [p.applies]).every(holds));
}

/**
 * Outcome of an exec probe from its exit status and output: what the kernel did.
 * @param {number | null} status  exit status (null: killed)
 * @param {string} output  stderr and stdout of the attempt
 * @returns {{outcome: 'allowed'|'denied'|'error', errno: string}}
 */
export function classify(status, output) {
  if (status === 0) return {outcome: 'allowed', errno: 'ok'};
  if (status === null || status === 124 || status === 143) return {outcome: 'error', errno: 'timeout'};
  if (/Permission denied/i.test(output)) return {outcome: 'denied', errno: 'EACCES'};
  if (/Operation not permitted/i.test(output)) return {outcome: 'denied', errno: 'EPERM'};
  if (/Read-only file system/i.test(output)) return {outcome: 'denied', errno: 'EROFS'};
  if (/^masked:/m.test(output)) return {outcome: 'denied', errno: 'masked'};
  return {outcome: 'error', errno: 'other'};
}

/**
 * Judge one result row by the `hardcompose` column (the declared level):
 *   - attack probe: `ok` when denied, `FAIL` when allowed, `inconclusive` when it did not run
 *     cleanly (error);
 *   - functional probe: `ok` when allowed; when not, `FAIL` if it worked unconfined (the profile
 *     broke it) and `inconclusive` if it fails unconfined too (the container cannot do it at all,
 *     e.g. a stand-in image), so the lab never blames a profile for what it did not cause.
 * @param {'deny'|'allow'} expect
 * @param {Record<string, string>} profiles  outcome per policy column
 * @returns {'ok'|'FAIL'|'inconclusive'|'known-gap'}
 */
export function verdict(expect, profiles, probe = undefined) {
  const hc = profiles.hardcompose;
  // A documented engine limitation hardcompose refuses by default: reported, not hidden, not failed.
  if (expect === 'deny' && hc === 'allowed' && probe?.known) return 'known-gap';
  if (expect === 'deny') return hc === 'denied' ? 'ok' : hc === 'allowed' ? 'FAIL' : 'inconclusive';
  if (hc === 'allowed') return 'ok';
  if (hc === 'not run') return 'inconclusive';
  return profiles.unconfined === 'allowed' ? 'FAIL' : 'inconclusive';
}
