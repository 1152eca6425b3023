import { isAbsolute, resolve } from 'node:path';
import { error, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Span } from '../diagnostics/span.js';
import type { ServiceConfig } from '../model/compose.js';
import { fromPlain } from '../source/from-plain.js';
import { map, scalarText, seq, toPlain, type LEntry, type LMap, type LNode } from '../source/tree.js';
import { unresolvedWarning } from '../config/schema-check.js';
import { parsePortShort, parsePublished, parseVolumeShort } from './short-syntax.js';

/**
 * Rewrites one service definition into canonical long form, keeping positions: lists of `KEY=VALUE`
 * become mappings, short port and volume strings become their long form, relative paths become
 * absolute against the directory of the file that wrote them (so `extends` from another folder
 * keeps pointing at the right files).
 */
export function canonicalService(node: LMap, baseDir: string): { node: LMap; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const path = (p: string) => resolveHostPath(p, baseDir);
  const entries: LEntry[] = node.entries.map((e) => {
    const value = canonicalKey(e.key, e.value, path, diagnostics);
    return value === e.value ? e : { ...e, value };
  });
  return { node: map(entries, node.span), diagnostics };
}

export function resolveHostPath(p: string, baseDir: string): string {
  if (p.startsWith('~') || isAbsolute(p)) return p;
  return resolve(baseDir, p);
}

type PathFn = (p: string) => string;

function canonicalKey(key: string, v: LNode, path: PathFn, diags: Diagnostic[]): LNode {
  switch (key) {
    case 'environment':
    case 'labels':
    case 'annotations':
    case 'sysctls':
      return listToMap(v, '=');
    case 'extra_hosts':
      return listToMap(v, '=:');
    case 'env_file':
      return envFiles(v, path);
    case 'build':
      return build(v, path);
    case 'depends_on':
      return dependsOn(v);
    case 'healthcheck':
      return healthcheck(v);
    case 'secrets':
    case 'configs':
      return fileRefs(v);
    case 'networks':
      return serviceNetworks(v);
    case 'ulimits':
      return ulimits(v);
    case 'ports':
      return ports(v, diags);
    case 'volumes':
      return volumes(v, path, diags);
    case 'dns':
    case 'dns_search':
    case 'tmpfs':
    case 'profiles':
      return v.kind === 'scalar' && v.value !== null ? seq([v], v.span) : v;
    case 'expose':
      return v.kind === 'seq' ? seq(v.items.map((i) => (i.kind === 'scalar' ? { ...i, value: scalarText(i) } : i)), v.span) : v;
    default:
      return v;
  }
}

/** `["A=1", "B"]` → `{A: "1", B: null}`; a mapping stays, with non-null values as strings. */
function listToMap(v: LNode, separators: string): LNode {
  if (v.kind === 'map') {
    return map(
      v.entries.map((e) =>
        e.value.kind === 'scalar' && e.value.value !== null ? { ...e, value: { ...e.value, value: scalarText(e.value) } } : e,
      ),
      v.span,
    );
  }
  if (v.kind !== 'seq') return v;
  const entries: LEntry[] = [];
  for (const item of v.items) {
    if (item.kind !== 'scalar' || item.value === null) continue;
    const text = scalarText(item);
    let at = -1;
    for (const sep of separators) {
      const i = text.indexOf(sep);
      if (i > 0) {
        at = i;
        break;
      }
    }
    const key = at < 0 ? text : text.slice(0, at);
    const value = at < 0 ? null : text.slice(at + 1);
    const existing = entries.findIndex((e) => e.key === key);
    const entry: LEntry = { key, keySpan: item.span, value: { ...item, value } };
    if (existing >= 0) entries[existing] = entry;
    else entries.push(entry);
  }
  return map(entries, v.span);
}

function envFiles(v: LNode, path: PathFn): LNode {
  const items = v.kind === 'seq' ? v.items : [v];
  return seq(
    items.map((i) => {
      if (i.kind === 'scalar') return fromPlain({ path: path(scalarText(i)), required: true }, i.span);
      if (i.kind === 'map') {
        const plain = toPlain(i) as { path?: unknown; required?: unknown; format?: unknown };
        return fromPlain(
          { path: path(String(plain.path ?? '')), required: asBool(plain.required, true), format: plain.format },
          i.span,
        );
      }
      return i;
    }),
    v.span,
  );
}

function build(v: LNode, path: PathFn): LNode {
  if (v.kind === 'scalar') return fromPlain({ context: path(scalarText(v)) }, v.span);
  if (v.kind !== 'map') return v;
  return map(
    v.entries.map((e) => {
      if (e.key === 'context' && e.value.kind === 'scalar') {
        const ctx = scalarText(e.value);
        // A git URL or remote context is not a path on this machine.
        if (/^[a-z]+:\/\//i.test(ctx) || ctx.startsWith('git@')) return e;
        return { ...e, value: { ...e.value, value: path(ctx) } };
      }
      if (e.key === 'args') return { ...e, value: listToMap(e.value, '=') };
      return e;
    }),
    v.span,
  );
}

function dependsOn(v: LNode): LNode {
  if (v.kind === 'seq') {
    return map(
      v.items.map((i) => ({
        key: i.kind === 'scalar' ? scalarText(i) : '',
        keySpan: i.span,
        value: fromPlain({ condition: 'service_started', required: true, restart: false }, i.span),
      })),
      v.span,
    );
  }
  if (v.kind !== 'map') return v;
  return map(
    v.entries.map((e) => {
      const plain = (e.value.kind === 'map' ? toPlain(e.value) : {}) as Record<string, unknown>;
      const base = e.value.kind === 'map' ? e.value : map([], e.value.span);
      const add = (k: string, def: unknown): LEntry[] =>
        plain[k] === undefined ? [{ key: k, keySpan: e.keySpan, value: fromPlain(def, e.keySpan) }] : [];
      const fixed = base.entries.map((x) =>
        (x.key === 'required' || x.key === 'restart') && x.value.kind === 'scalar'
          ? { ...x, value: { ...x.value, value: asBool(x.value.value, x.key === 'required') } }
          : x,
      );
      return {
        ...e,
        value: map(
          [...fixed, ...add('condition', 'service_started'), ...add('required', true), ...add('restart', false)],
          base.span,
        ),
      };
    }),
    v.span,
  );
}

function healthcheck(v: LNode): LNode {
  if (v.kind !== 'map') return v;
  return map(
    v.entries.map((e) => {
      if (e.key === 'test' && e.value.kind === 'scalar' && e.value.value !== null) {
        return { ...e, value: seq([{ ...e.value, value: 'CMD-SHELL' }, e.value], e.value.span) };
      }
      if (e.key === 'disable' && e.value.kind === 'scalar') return { ...e, value: { ...e.value, value: asBool(e.value.value, false) } };
      return e;
    }),
    v.span,
  );
}

function fileRefs(v: LNode): LNode {
  if (v.kind !== 'seq') return v;
  return seq(v.items.map((i) => (i.kind === 'scalar' ? fromPlain({ source: scalarText(i) }, i.span) : i)), v.span);
}

function serviceNetworks(v: LNode): LNode {
  if (v.kind === 'seq') {
    return map(
      v.items.map((i) => ({ key: i.kind === 'scalar' ? scalarText(i) : '', keySpan: i.span, value: map([], i.span) })),
      v.span,
    );
  }
  if (v.kind !== 'map') return v;
  return map(
    v.entries.map((e) => (e.value.kind === 'scalar' && e.value.value === null ? { ...e, value: map([], e.value.span) } : e)),
    v.span,
  );
}

function ulimits(v: LNode): LNode {
  if (v.kind !== 'map') return v;
  return map(
    v.entries.map((e) => {
      if (e.value.kind === 'scalar') {
        const n = Number(e.value.value);
        return { ...e, value: fromPlain({ soft: n, hard: n }, e.value.span) };
      }
      return e;
    }),
    v.span,
  );
}

function ports(v: LNode, diags: Diagnostic[]): LNode {
  if (v.kind !== 'seq') return v;
  const items: LNode[] = [];
  for (const i of v.items) {
    if (i.kind === 'scalar' && i.value !== null) {
      const parsed = parsePortShort(scalarText(i));
      // With a variable unset, even a mapping that parses means something else ("${HP}:80" → ":80", a random port).
      if (i.unresolved?.length) {
        diags.push(unresolvedWarning(i.span, i.unresolved, parsed.ok ? `it reads "${scalarText(i)}"` : parsed.message));
        continue;
      }
      if (!parsed.ok) {
        diags.push(portError(i.span, scalarText(i), parsed.message));
        continue;
      }
      for (const p of parsed.value) items.push(fromPlain(p, i.span));
    } else if (i.kind === 'map') {
      const plain = toPlain(i) as Record<string, unknown>;
      const target = parsePublished(plain.target);
      const published = parsePublished(plain.published);
      if (!target.ok || !target.value) {
        diags.push(portError(i.span, String(plain.target), target.ok ? 'a port needs a target' : target.message));
        continue;
      }
      if (!published.ok) {
        diags.push(portError(i.span, String(plain.published), published.message));
        continue;
      }
      const [t0, t1] = target.value;
      for (let port = t0; port <= t1; port++) {
        const pub = published.value ? published.value[0] + (port - t0) : undefined;
        const out = { ...plain, target: port, published: pub, protocol: String(plain.protocol ?? 'tcp').toLowerCase() };
        items.push(fromPlain(out, i.span));
      }
    } else items.push(i);
  }
  return seq(items, v.span);
}

function portError(span: Span, text: string, message: string): Diagnostic {
  return error('PORT_INVALID', span, `invalid port mapping "${text}": ${message}`, 'write it as [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL], e.g. "127.0.0.1:8080:80"');
}

function volumes(v: LNode, path: PathFn, diags: Diagnostic[]): LNode {
  if (v.kind !== 'seq') return v;
  const items: LNode[] = [];
  for (const i of v.items) {
    if (i.kind === 'scalar' && i.value !== null) {
      const parsed = parseVolumeShort(scalarText(i), path);
      if (!parsed.ok) {
        if (i.unresolved?.length) {
          diags.push(unresolvedWarning(i.span, i.unresolved, parsed.message));
          continue;
        }
        diags.push(
          error('VOLUME_INVALID', i.span, `invalid volume "${scalarText(i)}": ${parsed.message}`, 'write it as SOURCE:TARGET[:MODE], e.g. "./data:/data:ro"'),
        );
        continue;
      }
      items.push(fromPlain(parsed.value, i.span));
    } else if (i.kind === 'map') {
      items.push(
        map(
          i.entries.map((e) =>
            e.key === 'source' && e.value.kind === 'scalar' && typeOf(i) === 'bind'
              ? { ...e, value: { ...e.value, value: path(scalarText(e.value)) } }
              : e,
          ),
          i.span,
        ),
      );
    } else items.push(i);
  }
  return seq(items, v.span);
}

function typeOf(m: LMap): string | undefined {
  const t = m.entries.find((e) => e.key === 'type')?.value;
  return t?.kind === 'scalar' ? scalarText(t) : undefined;
}

function asBool(v: unknown, def: boolean): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return ['true', 'yes', '1'].includes(v.toLowerCase());
  return def;
}

/** Typed view of a canonical service, with the empty defaults consumers rely on. */
export function serviceConfig(node: LMap): ServiceConfig {
  const plain = toPlain(node) as Partial<ServiceConfig>;
  return {
    ...plain,
    environment: plain.environment ?? {},
    env_file: plain.env_file ?? [],
    labels: plain.labels ?? {},
    annotations: plain.annotations ?? {},
    ports: plain.ports ?? [],
    expose: plain.expose ?? [],
    volumes: plain.volumes ?? [],
    depends_on: plain.depends_on ?? {},
    secrets: plain.secrets ?? [],
    configs: plain.configs ?? [],
    networks: plain.networks ?? {},
    ulimits: plain.ulimits ?? {},
    sysctls: plain.sysctls ?? {},
    extra_hosts: plain.extra_hosts ?? {},
    dns: plain.dns ?? [],
    dns_search: plain.dns_search ?? [],
    tmpfs: plain.tmpfs ?? [],
    profiles: plain.profiles ?? [],
  };
}
