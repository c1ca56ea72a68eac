/**
 * The security-relevant facts of a loaded project, in one comparable shape for both sides of
 * the differential test: hardcompose's model and `docker compose config --format json`.
 *
 * Normalisations, each provably meaning the same thing to Compose and the engine:
 * - an absent boolean (`privileged`, `read_only`, a volume's `read_only`) is `false`;
 * - an empty string field (`user`, `pid`, …) is absent (Go strings with omitempty);
 * - an absent list (`cap_add`, `devices`, …) is `[]`;
 * - absent device permissions are the empty string (Compose omits empty strings when printing);
 * - `docker compose config` writes a literal `$` as `$$` so its output can be loaded again
 *   (cmd/compose/config.go escapeDollarSign); `unescapeCompose` undoes that on its side only;
 * - lists whose order the engine ignores are sorted (see `sorted` call sites).
 * Nothing else is rewritten: any other difference is a real one.
 */

type Obj = Record<string, any>;

export interface VolumeFact {
  type: string;
  source: string | null;
  target: string;
  read_only: boolean;
  selinux: string | null;
}

export interface PortFact {
  target: number;
  published: string | null;
  protocol: string;
  host_ip: string | null;
}

export interface ServiceFacts {
  image: string | null;
  cap_add: string[];
  cap_drop: string[];
  privileged: boolean;
  read_only: boolean;
  user: string | null;
  network_mode: string | null;
  pid: string | null;
  ipc: string | null;
  security_opt: string[];
  devices: string[];
  volumes: VolumeFact[];
  ports: PortFact[];
  tmpfs: string[];
}

export interface ProjectFacts {
  name: string;
  services: Record<string, ServiceFacts>;
}

/** Sorts by a stable JSON key, for lists whose order carries no meaning. */
function sorted<T>(xs: T[]): T[] {
  return xs
    .map((x) => [JSON.stringify(x), x] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, x]) => x);
}

/** Compose's string fields are Go strings with omitempty: "" and absent are the same setting. */
const str = (v: unknown): string | null => (v === undefined || v === null || v === '' ? null : String(v));
const list = (v: unknown): any[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

function serviceFacts(s: Obj): ServiceFacts {
  return {
    image: str(s.image),
    // Capabilities are a set to the engine: order is not meaningful.
    cap_add: sorted(list(s.cap_add).map(String)),
    cap_drop: sorted(list(s.cap_drop).map(String)),
    privileged: s.privileged === true,
    read_only: s.read_only === true,
    user: str(s.user),
    network_mode: str(s.network_mode),
    pid: str(s.pid),
    ipc: str(s.ipc),
    // security_opt keeps its order: a later `apparmor=`/`label=` entry wins in the engine.
    security_opt: list(s.security_opt).map(String),
    // Devices are keyed by their target; the engine creates them in any order.
    devices: sorted(
      list(s.devices).map((d) => (typeof d === 'string' ? d : `${d.source}:${d.target}:${d.permissions ?? ''}`)),
    ),
    // Mounts are keyed by target; the engine sorts them by destination depth itself.
    volumes: sorted(
      list(s.volumes).map((v: Obj) => ({
        type: String(v.type),
        source: str(v.source),
        target: String(v.target),
        read_only: v.read_only === true,
        selinux: str(v.bind?.selinux),
      })),
    ),
    // Port bindings form a set to the engine.
    ports: sorted(
      list(s.ports).map((p: Obj) => ({
        target: Number(p.target),
        published: str(p.published),
        protocol: String(p.protocol ?? 'tcp'),
        host_ip: str(p.host_ip),
      })),
    ),
    // tmpfs mounts are keyed by path: order is not meaningful.
    tmpfs: sorted(list(s.tmpfs).map(String)),
  };
}

export function projectFacts(model: Obj): ProjectFacts {
  const services: Record<string, ServiceFacts> = {};
  for (const name of Object.keys(model.services ?? {}).sort()) services[name] = serviceFacts(model.services[name]);
  return {name: String(model.name), services};
}

/** Undoes `docker compose config`'s `$` → `$$` escaping in every string of its output. */
export function unescapeCompose(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/\$\$/g, '$');
  if (Array.isArray(v)) return v.map(unescapeCompose);
  if (v && typeof v === 'object') {
    const out: Obj = {};
    for (const [k, val] of Object.entries(v)) out[k] = unescapeCompose(val);
    return out;
  }
  return v;
}

/**
 * Every place where two fact trees differ, one line each (`services.web.ports: ours … compose …`),
 * so a failing case reads at a glance.
 */
export function diffFacts(ours: unknown, theirs: unknown, at = ''): string[] {
  const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
  if (isObj(ours) && isObj(theirs)) {
    const keys = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].sort();
    return keys.flatMap((k) => diffFacts(ours[k], theirs[k], at ? `${at}.${k}` : k));
  }
  const a = JSON.stringify(ours);
  const b = JSON.stringify(theirs);
  return a === b ? [] : [`${at || '(root)'}: hardcompose ${a ?? 'absent'}, docker compose ${b ?? 'absent'}`];
}
