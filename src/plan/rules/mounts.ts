/**
 * Rule `mounts`: every service volume as the container sees it (mount target, not host source;
 * DESIGN.md "AppArmor"). Read-only mounts get an explicit deny on writes, writable ones an
 * allowance. A unix socket needs write access to connect, so `:ro` on a socket is reported,
 * not enforced as a deny (it would break the client while protecting nothing).
 */
import path from 'node:path';
import {containerPath} from '../paths.js';
import type {Rule} from '../rule.js';
import type {FileRule} from '../types.js';

export function isSocketPath(p: string): boolean {
  return p.endsWith('.sock');
}

export const mounts: Rule = {
  id: 'mounts',
  summary: 'a volume, bind or tmpfs mount is declared here: writes allowed when it is rw, denied when it is ro',
  remove: 'remove the mount, or mark it :ro to deny writes',
  apply(input, plan) {
    (input.svc.volumes ?? []).forEach((v, i) => {
      const source = `${input.at}.volumes[${i}]`;
      const target = containerPath(v.target, source, 'mounts');
      const kind = v.type === 'bind' ? 'bind' : v.type === 'tmpfs' ? 'tmpfs' : v.type === 'image' ? 'image' : 'volume';
      const ro = v.read_only === true || v.type === 'image';
      const detail = describe(v.type, v.source, target, ro);
      // The rule is built once and completed below (no copy per mount).
      const base: Omit<FileRule, 'access'> & {access?: FileRule['access']} = {path: target, kind, source, detail, rule: 'mounts'};
      if (v.type === 'bind' && v.source) base.hostPath = v.source;
      if (v.bind?.selinux) base.selinuxRelabel = v.bind.selinux;
      else if (input.relabel && v.type === 'bind' && v.source) {
        // Only the project's own files: relabelling a host system path (/etc, the Docker
        // socket) would change its label for every other program on the host.
        const rel = path.relative(input.projectDir, v.source);
        if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) {
          base.selinuxRelabel = 'z';
          const volume: Record<string, unknown> = {...v, source: `./${rel.split(path.sep).join('/')}`, bind: {...(v.bind ?? {}), selinux: 'z'}};
          (plan.relabel ??= []).push({source, volume});
        }
      }
      if (ro && isSocketPath(target)) {
        base.detail = `${detail} (a socket: connecting needs write)`;
        base.access = 'write';
        plan.files.push(base as FileRule);
        plan.findings.push({
          code: 'ro-socket',
          severity: 'low',
          message: `${target} is a socket mounted :ro; read-only does not limit what a client can do through it`,
          source,
          rule: 'mounts',
        });
        return;
      }
      base.access = ro ? 'deny-write' : 'write';
      plan.files.push(base as FileRule);
    });
  },
};

function describe(type: string, source: string | undefined, target: string, ro: boolean): string {
  const s = type === 'volume' ? (source ? `${source} (named volume)` : '(anonymous volume)') : type === 'bind' ? `${source ? 'bind' : ''}` : type;
  return `${s} → ${target}${ro ? ' ro' : ''}`;
}
