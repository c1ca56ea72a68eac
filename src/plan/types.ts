/**
 * SecurityPlan: the backend-neutral result of the plan stage. Every item carries the compose
 * path that caused it (`source`), which renderers print as a provenance comment.
 */

export type Level = 'baseline' | 'strict';
export type Mode = 'enforce' | 'complain';
export type Backend = 'apparmor' | 'selinux';
export type Severity = 'high' | 'medium' | 'low' | 'info';

/** A compose path (`services.api.volumes[1]`) or `rule:<id>` / `x-hardcompose…` for inferred items. */
export type Provenance = string;

export interface Finding {
  /** Stable code, e.g. `privileged`, `docker-socket`, `cap-sys_admin`. */
  code: string;
  severity: Severity;
  message: string;
  source: Provenance;
  /** Id of the plan rule that produced it. */
  rule: string;
}

export interface CapabilityGrant {
  /** Lower case without the CAP_ prefix, as AppArmor spells it: `net_bind_service`. */
  name: string;
  source: Provenance;
  /** Why: "docker default", "cap_add", "x-hardcompose.capabilities", "privileged". */
  reason: string;
  rule: string;
}

export type FileKind = 'bind' | 'volume' | 'tmpfs' | 'image' | 'device' | 'scratch' | 'extra' | 'hint';

export interface FileRule {
  /** Absolute, normalised container path (validated by the plan: no control characters, no `..`). */
  path: string;
  /**
   * read: r; write: read+write+lock (no exec at strict); deny-write: explicit deny of writes;
   * exec: read+map+exec.
   */
  access: 'read' | 'write' | 'deny-write' | 'exec';
  kind: FileKind;
  source: Provenance;
  /** Short human description, e.g. `./config:/etc/api:ro`. Rendered only in comments (escaped). */
  detail: string;
  rule: string;
  /** Bind source on the host, absolute, for SELinux type lookup. Never rendered into AppArmor. */
  hostPath?: string;
  /** `z`/`Z` relabelling requested for a bind mount. */
  selinuxRelabel?: 'z' | 'Z';
}

export interface DeviceRule {
  /** Container path, e.g. `/dev/net/tun`. */
  path: string;
  hostPath: string;
  permissions: string;
  source: Provenance;
  rule: string;
}

export interface PortRule {
  port: number;
  /** Last port of a range (inclusive); equals `port` for a single port. */
  portEnd: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  /** `published` (ports:), `exposed` (expose:), or `extra` (x-hardcompose). */
  how: 'published' | 'exposed' | 'extra';
  source: Provenance;
  rule: string;
}

export interface SocketRule {
  family: 'inet' | 'inet6' | 'unix' | 'netlink' | 'packet';
  type: 'stream' | 'dgram' | 'raw' | 'seqpacket' | 'any';
  source: Provenance;
  reason: string;
  rule: string;
}

export interface NetworkPlan {
  /** `none`, `host`, `bridge` (default and named networks), `container` (shares another's stack). */
  mode: 'none' | 'host' | 'bridge' | 'container';
  source: Provenance;
  sockets: SocketRule[];
  ports: PortRule[];
  /** Raw and packet sockets allowed (NET_RAW kept and needed, or asked for). */
  raw: boolean;
}

export interface ServicePlan {
  service: string;
  /** `hardcompose.<project>.<service>` */
  profileName: string;
  level: Level;
  mode: Mode;
  /** x-hardcompose.skip: no policy, overlay leaves the service alone (a finding says so). */
  skip: boolean;
  /** An `apparmor=`/`label=` the user already pinned; hardcompose then leaves the service alone. */
  pinned?: {option: string; source: Provenance};
  privileged: boolean;
  readOnlyRoot: boolean;
  capabilities: CapabilityGrant[];
  files: FileRule[];
  devices: DeviceRule[];
  network: NetworkPlan;
  pidHost: boolean;
  ipcHost: boolean;
  findings: Finding[];
  /** security_opt entries already present in the merged model (the overlay must not repeat them). */
  existingSecurityOpt: string[];
  /** cap_add / cap_drop as the user wrote them (normalised), for the strict overlay. */
  userCapAdd: string[];
  userCapDrop: string[];
  image?: string;
  /** Image hint applied, if any (templates/hints.json). */
  hint?: string;
  /**
   * `--selinux-relabel`: bind mounts the overlay repeats with `:z` (the whole entry, since
   * Compose replaces a volume by target), sources relative to the project directory.
   */
  relabel?: Array<{source: Provenance; volume: Record<string, unknown>}>;
}

export interface SecurityPlan {
  project: string;
  backend: Backend;
  level: Level;
  mode: Mode;
  /** Input compose files, relative to the project directory. */
  inputs: string[];
  toolVersion: string;
  services: ServicePlan[];
  findings: Finding[];
}

/** A generated file: path relative to the output folder (POSIX), content with LF endings. */
export interface Artifact {
  path: string;
  content: string;
  kind: 'apparmor' | 'selinux' | 'overlay' | 'lock';
}
