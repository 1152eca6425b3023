import { isIP } from 'node:net';
import type { MountType, PortMapping, Protocol, VolumeMount } from '../model/compose.js';

/**
 * Parsers for compose's short syntaxes. Each returns the canonical long form, or an error message
 * saying what is wrong with the text; they never throw.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

/** `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`, where ports may be ranges (`8000-8010`). */
export function parsePortShort(text: string): Parsed<PortMapping[]> {
  let rest = text.trim();
  let protocol: Protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1).toLowerCase();
    if (!PROTOCOLS.has(p)) return { ok: false, message: `unknown protocol "${p}" (use tcp, udp or sctp)` };
    protocol = p as Protocol;
    rest = rest.slice(0, slash);
  }
  let hostIp: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') return { ok: false, message: 'an IPv6 host address in [brackets] must be followed by ":PORT"' };
    hostIp = rest.slice(1, close);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  let hostPart: string | undefined;
  let containerPart: string;
  if (parts.length === 1) containerPart = parts[0]!;
  else if (parts.length === 2) [hostPart, containerPart] = parts as [string, string];
  else if (hostIp === undefined) {
    containerPart = parts.pop()!;
    hostPart = parts.pop()!;
    hostIp = parts.join(':');
  } else return { ok: false, message: 'too many ":" separators' };
  if (hostIp === '') hostIp = undefined; // ":8080:80" binds all addresses, as docker reads it
  if (hostIp !== undefined && isIP(hostIp) === 0) return { ok: false, message: `"${hostIp}" is not an IPv4 or IPv6 address` };

  const container = parseRange(containerPart);
  if (!container) return { ok: false, message: `"${containerPart}" is not a container port or port range (1-65535)` };
  const host = hostPart === undefined || hostPart === '' ? undefined : parseRange(hostPart);
  if (hostPart && !host) return { ok: false, message: `"${hostPart}" is not a host port or port range (1-65535)` };

  const count = container[1] - container[0] + 1;
  if (host && host[1] - host[0] + 1 !== count && count !== 1) {
    return { ok: false, message: `the host range ${hostPart} and container range ${containerPart} have different lengths` };
  }
  const out: PortMapping[] = [];
  for (let i = 0; i < count; i++) {
    const m: PortMapping = { target: container[0] + i, protocol };
    if (host) m.published = host[0] + (count === 1 ? 0 : i);
    if (hostIp !== undefined) m.host_ip = hostIp;
    out.push(m);
  }
  return { ok: true, value: out };
}

function parseRange(text: string): [number, number] | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a < 0 || b > 65535 || b < a) return undefined;
  return [a, b];
}

/** A published port written in long syntax: a number, a string number, or a range ("8000-8010"). */
export function parsePublished(value: unknown): Parsed<[number, number] | undefined> {
  if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
  const r = parseRange(String(value));
  return r ? { ok: true, value: r } : { ok: false, message: `"${String(value)}" is not a port or port range` };
}

const PROPAGATION = new Set(['shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate']);
const CONSISTENCY = new Set(['consistent', 'cached', 'delegated']);

/** `SOURCE:TARGET[:MODE]` or `TARGET`; MODE is comma-separated (ro, rw, z, Z, U, nocopy, propagation, ...). */
export function parseVolumeShort(text: string, resolvePath: (p: string) => string): Parsed<VolumeMount> {
  const parts = text.split(':');
  if (parts.some((p, i) => p === '' && i < 2)) return { ok: false, message: 'an empty source or target around ":"' };
  if (parts.length > 3) return { ok: false, message: 'too many ":" separators (SOURCE:TARGET:MODE)' };
  if (parts.length === 1) {
    const target = parts[0]!;
    if (!target.startsWith('/')) return { ok: false, message: `the container path "${target}" must be absolute` };
    return { ok: true, value: { type: 'volume', target } };
  }
  const [source, target, mode] = parts as [string, string, string | undefined];
  if (!target.startsWith('/')) return { ok: false, message: `the container path "${target}" must be absolute` };
  const type: MountType = isHostPath(source) ? 'bind' : 'volume';
  const v: VolumeMount = { type, source: type === 'bind' ? resolvePath(source) : source, target };
  if (mode) {
    for (const flag of mode.split(',')) {
      if (flag === 'ro') v.read_only = true;
      else if (flag === 'rw') v.read_only = false;
      else if (flag === 'z' || flag === 'Z') v.bind = { ...v.bind, selinux: flag };
      else if (flag === 'nocopy') v.volume = { ...v.volume, nocopy: true };
      else if (PROPAGATION.has(flag)) v.bind = { ...v.bind, propagation: flag };
      else if (CONSISTENCY.has(flag)) v.consistency = flag;
      else if (flag) v.options = [...(v.options ?? []), flag];
    }
  }
  return { ok: true, value: v };
}

export function isHostPath(source: string): boolean {
  return source.startsWith('/') || source.startsWith('.') || source.startsWith('~') || source.includes('/');
}
