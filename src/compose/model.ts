/**
 * The normalised compose model: the shape `docker compose config --format json` prints
 * (compose-spec, "Compose file reference"), typed for the fields hardcompose reads.
 * Anything else a service carries is kept as-is so `config` can print it.
 */

export interface PortConfig {
  name?: string;
  mode?: string;
  host_ip?: string;
  target: number;
  /** Compose prints published as a string ("8080", "8000-8010"). */
  published?: string;
  protocol: string;
  app_protocol?: string;
}

export interface ServiceVolume {
  type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  source?: string;
  target: string;
  read_only?: boolean;
  consistency?: string;
  bind?: {propagation?: string; create_host_path?: boolean; selinux?: 'z' | 'Z'; recursive?: string};
  volume?: {nocopy?: boolean; subpath?: string};
  tmpfs?: {size?: number | string; mode?: number};
  image?: {subpath?: string};
}

export interface DeviceMapping {
  source: string;
  target: string;
  permissions: string;
}

export interface ServiceConfig {
  image?: string;
  build?: unknown;
  cap_add?: string[];
  cap_drop?: string[];
  privileged?: boolean;
  read_only?: boolean;
  user?: string;
  network_mode?: string;
  networks?: Record<string, unknown>;
  pid?: string;
  ipc?: string;
  security_opt?: string[];
  devices?: DeviceMapping[];
  volumes?: ServiceVolume[];
  ports?: PortConfig[];
  expose?: string[];
  tmpfs?: string[];
  profiles?: string[];
  use_api_socket?: boolean;
  command?: unknown;
  entrypoint?: unknown;
  environment?: Record<string, string | null>;
  'x-hardcompose'?: unknown;
  [key: string]: unknown;
}

export interface ComposeModel {
  name: string;
  services: Record<string, ServiceConfig>;
  networks?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
  configs?: Record<string, unknown>;
  'x-hardcompose'?: unknown;
  [key: string]: unknown;
}

/** A compose file that was read, relative to the project directory for stable output. */
export interface SourceFile {
  /** Path as given or discovered, absolute. Never rendered into generated files. */
  absolute: string;
  /** Path relative to the project directory, POSIX separators; `-` for stdin. */
  relative: string;
  sha256: string;
}

/** Output of the load stage (src/compose/load.ts). */
export interface ComposeProject {
  name: string;
  /** Absolute project directory (first file's folder unless --project-directory). */
  workingDir: string;
  files: SourceFile[];
  model: ComposeModel;
  /** Services that exist but are not active under the selected profiles. */
  disabledServices: string[];
  /** Environment variables that interpolation read, with the value used (for the lock). */
  interpolated: Record<string, string | null>;
  warnings: string[];
}
