/**
 * Port → type lookup from the policy's port contexts (`portcon`), as `semanage port -l` prints
 * them. The renderer receives the table as input ({@link PortTypes}); src/host/selinux.ts obtains
 * it from semanage or from the embedded tables under templates/selinux/.
 *
 * Facts (semanage-port(8); CIL reference "portcon"; refpolicy corenetwork.te.in):
 * - `semanage port -l` prints `TYPE PROTO PORTS` where PORTS is a comma separated list of numbers
 *   and `LOW-HIGH` ranges; local additions (`semanage port -a`) are included;
 * - when ranges overlap, the kernel labels a port with the most specific entry: CIL sorts
 *   portcon statements by range size (e.g. tcp 8080 is http_cache_port_t, not unreserved_port_t);
 * - a port no portcon covers gets the `port` initial SID's type, `port_t`, in both refpolicy and
 *   Fedora.
 */

export type PortProtocol = 'tcp' | 'udp' | 'sctp' | 'dccp';

/** One portcon: ports `low..high` (inclusive) of `protocol` are labelled `type`. */
export interface PortContext {
  type: string;
  protocol: PortProtocol;
  low: number;
  high: number;
}

/** The policy's port contexts, in any order. */
export type PortTypes = readonly PortContext[];

/** Where a {@link PortTypes} table came from; recorded in each module's header. */
export type PortSource = 'semanage' | 'embedded';

/** Type of ports no portcon covers (the `port` initial SID). */
export const UNLABELED_PORT_TYPE = 'port_t';

const LINE = /^(\S+)\s+(tcp|udp|sctp|dccp)\s+(\d.*)$/;

/**
 * Parses `semanage port -l` output (and the embedded tables, which use the same format plus
 * `#` comment lines). Lines that do not look like entries (the header, blanks) are skipped.
 * Throws on an entry whose port list cannot be read, so a format change is noticed.
 */
export function parseSemanagePortList(text: string): PortContext[] {
  const out: PortContext[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const [, type, protocol, list] = m as unknown as [string, string, PortProtocol, string];
    for (const item of list.split(',')) {
      const r = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(item);
      if (!r) throw new Error(`unreadable port list in semanage output: ${JSON.stringify(line)}`);
      const low = Number(r[1]);
      const high = r[2] === undefined ? low : Number(r[2]);
      if (!(low >= 0 && high <= 65535 && low <= high)) throw new Error(`bad port range in semanage output: ${JSON.stringify(line)}`);
      out.push({type, protocol, low, high});
    }
  }
  return out;
}

/** The type of one port: the narrowest range containing it, else `port_t`. */
export function portType(table: PortTypes, protocol: PortProtocol, port: number): string {
  let best: PortContext | undefined;
  for (const c of table) {
    if (c.protocol !== protocol || port < c.low || port > c.high) continue;
    // Ties (same width) keep the first entry; policies do not define conflicting equal ranges.
    if (best === undefined || c.high - c.low < best.high - best.low) best = c;
  }
  return best?.type ?? UNLABELED_PORT_TYPE;
}

/**
 * The types covering `low..high`, each with the sub-ranges it covers, ordered by first port.
 * A range such as 8000-8010 usually spans several types (soundd_port_t, unreserved_port_t, …).
 */
export function portTypesForRange(table: PortTypes, protocol: PortProtocol, low: number, high: number): {type: string; ranges: [number, number][]}[] {
  const relevant = table.filter((c) => c.protocol === protocol && c.high >= low && c.low <= high);
  const byType = new Map<string, [number, number][]>();
  let current: {type: string; start: number} | undefined;
  const flush = (end: number): void => {
    if (!current) return;
    const list = byType.get(current.type) ?? [];
    list.push([current.start, end]);
    byType.set(current.type, list);
  };
  for (let p = low; p <= high; p++) {
    const t = portType(relevant, protocol, p);
    if (current?.type !== t) {
      flush(p - 1);
      current = {type: t, start: p};
    }
  }
  flush(high);
  return [...byType].map(([type, ranges]) => ({type, ranges}));
}

export function formatRanges(ranges: readonly [number, number][]): string {
  return ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
}
