import type { Span } from '../../../diagnostics/span.js';
import { parsePortShort } from '../../../compose/short-syntax.js';
import type { PortMapping, VolumeMount } from '../../../model/compose.js';
import { map, scalarText, spanAt, type LEntry, type LMap, type LNode } from '../../../source/tree.js';
import { addToSequence, eol, fix, indentAt, insertAt, lineEnd, lineStart, replaceSpan, scalarContent } from '../../fix-helpers.js';
import type { ComposeServiceContext, Fix, TextEdit } from '../../rule.js';
import { imageName } from '../_images.js';

/*
 * Helpers shared by the compose-security rules: edits inside a service's own mapping, namespaces
 * shared with the host, database images, published ports, bind mount sources and environment values
 * located in the text.
 */

// Edits inside a service

/** Whether a span lies inside the service's own mapping as written in the file being checked. */
export function ownedByService(ctx: ComposeServiceContext, span: Span): boolean {
  const node = ctx.service.node.span;
  if (span.file !== ctx.file || node.file !== ctx.file || span.offset === undefined || node.offset === undefined || node.endOffset === undefined) return false;
  return span.offset >= node.offset && (span.endOffset ?? span.offset) <= node.endOffset;
}

/**
 * The service's entries written in its own mapping, in text order: not those merged in from an
 * anchor (`<<: *defaults`) or another file (`extends`), which other services may share.
 */
export function ownMapping(ctx: ComposeServiceContext): LMap | undefined {
  const entries = ctx.service.node.entries.filter((e) => ownedByService(ctx, e.keySpan)).sort((a, b) => (a.keySpan.offset ?? 0) - (b.keySpan.offset ?? 0));
  const last = entries[entries.length - 1];
  if (!last || !ownedByService(ctx, last.value.span)) return undefined;
  return map(entries, ctx.service.node.span);
}

/**
 * Where a new line goes after a block node that starts at `from` and whose span ends at `end`: after
 * its last line with content. YAML block spans run on over trailing blank lines and comments, up to
 * the next key (even into its line), so those are skipped; comments indented deeper than `indent`
 * may belong to a block scalar and count as content.
 */
export function afterLastLine(text: string, from: number, end: number, indent: number): number {
  const lines = text.slice(from, end).split('\n');
  let pos = from + text.slice(from, end).length;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.replace(/\r$/, '');
    pos -= lines[i]!.length + (i < lines.length - 1 ? 1 : 0);
    const t = line.trim();
    if (t === '' || (t.startsWith('#') && line.length - line.trimStart().length <= indent && i > 0)) continue;
    return lineEnd(text, pos);
  }
  return lineEnd(text, from);
}

/**
 * An edit adding `key: value` lines at the end of the service's own mapping; undefined when no minimal
 * edit exists (flow mappings). Not fix-helpers' addToMapping: a comment indented under the last value
 * (`      # - 8080:80` ending a `ports:` list) stays above the new lines here, where addToMapping
 * inserts before it; the fixes and cases of these rules are written this way.
 */
export function addToService(ctx: ComposeServiceContext, yaml: string): TextEdit | undefined {
  const own = ownMapping(ctx);
  const last = own?.entries[own.entries.length - 1];
  if (!own || !last || ctx.text[own.span.offset ?? 0] === '{') return undefined;
  const keyOffset = last.keySpan.offset ?? 0;
  const indent = indentAt(ctx.text, keyOffset);
  if (ctx.text.slice(lineStart(ctx.text, keyOffset), keyOffset).trim() !== '' || /\t/.test(indent)) return undefined;
  const at = afterLastLine(ctx.text, keyOffset, last.value.span.endOffset ?? keyOffset, indent.length);
  const br = eol(ctx.text);
  const nl = at > 0 && ctx.text[at - 1] !== '\n' ? br : '';
  const lines = yaml.replace(/\n$/, '').split('\n').map((l) => indent + l).join(br);
  return insertAt(at, `${nl}${lines}${br}`);
}

/** An edit appending an item to a block sequence of the service's own mapping; undefined for flow sequences or shared ones. */
export function addToOwnSequence(ctx: ComposeServiceContext, node: LNode, item: string): TextEdit | undefined {
  if (node.kind !== 'seq' || !ownedByService(ctx, node.span) || node.items.some((i) => !ownedByService(ctx, i.span))) return undefined;
  return addToSequence(ctx.text, node, item);
}

/** A namespace key (`ipc`, `pid`, `network_mode`...) set to `host`: its value node; 'unknown' when an unset variable decides it. */
export function hostNamespace(ctx: ComposeServiceContext, key: string): LNode | 'unknown' | undefined {
  const e = ctx.service.node.entries.find((x) => x.key === key);
  if (!e || e.value.kind !== 'scalar') return undefined;
  if (e.value.unresolved?.length) return 'unknown';
  return scalarText(e.value).trim().toLowerCase() === 'host' ? e.value : undefined;
}

/** The items of a list-valued key as upper-case strings (capability names lose a CAP_ prefix). */
export function capabilities(node: LNode | undefined): { name: string; node: LNode }[] {
  if (!node) return [];
  const items = node.kind === 'seq' ? node.items : [node];
  return items.flatMap((i) => (i.kind === 'scalar' && i.value !== null ? [{ name: scalarText(i).trim().toUpperCase().replace(/^CAP_/, ''), node: i }] : []));
}

// Images and published ports

/** Images of databases, caches, brokers and search engines: services that hold data and expect a trusted network. */
const DATABASES: RegExp[] = [
  /^(postgres(ql)?|postgis|timescaledb(-ha)?|pgvector|pgvecto-rs|vectorchord|postgresql-repmgr|spilo(-\d+)?)$/,
  /^(mysql(-server)?|mariadb|percona(-server)?|percona-server-mysql)$/,
  /^(mongo|mongodb|mongodb-community-server|mongodb-enterprise-server)$/,
  /^(redis|redis-stack|redis-stack-server|valkey|keydb|dragonfly|memcached)$/,
  /^(elasticsearch|opensearch|solr)$/,
  /^(clickhouse|clickhouse-server|influxdb|couchdb|rabbitmq|cassandra|scylla|neo4j|etcd|cockroach|arangodb|questdb|surrealdb|qdrant|zookeeper|kafka|cp-kafka)$/,
];

/** The database kind of an image, if it is one (`postgres`, `bitnami/redis`, `mcr.microsoft.com/mssql/server`). */
export function databaseImage(image: string | undefined): string | undefined {
  const ref = imageName(image);
  if (!ref) return undefined;
  if (ref.path === 'mssql/server') return 'mssql';
  return DATABASES.some((re) => re.test(ref.name)) ? ref.name : undefined;
}

export function onAllInterfaces(p: PortMapping): boolean {
  return p.host_ip === undefined || ['', '0.0.0.0', '::', '[::]'].includes(p.host_ip);
}

/** Whether some `ports:` entry reads an unset variable: compose drops it from the model, so the rule cannot tell. */
export function portsUnknown(ctx: ComposeServiceContext): boolean {
  const ports = ctx.service.node.entries.find((e) => e.key === 'ports');
  return ports !== undefined && ctx.unsetIn(ports.value.span).length > 0;
}

/** Published ports on every interface, one per written entry (a range is one entry), with where they are written. */
export function openPorts(ctx: ComposeServiceContext): { index: number; port: PortMapping; span: Span }[] {
  const mode = ctx.service.config.network_mode;
  if (typeof mode === 'string' && /^(host|none|service:|container:)/.test(mode)) return []; // host networking ignores ports; the others allow none
  const seen = new Set<string>();
  const out: { index: number; port: PortMapping; span: Span }[] = [];
  ctx.service.config.ports.forEach((port, index) => {
    if (!onAllInterfaces(port)) return;
    const span = spanAt(ctx.service.node, ['ports', index]);
    const key = `${span.file}:${span.offset ?? span.line}:${span.col}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ index, port, span });
  });
  return out;
}

export function describePort(p: PortMapping): string {
  const proto = p.protocol === 'tcp' ? '' : `/${p.protocol}`;
  if (p.published === undefined) return `container port ${p.target}${proto} on a random host port`;
  return p.published === p.target ? `port ${p.target}${proto}` : `host port ${p.published}${proto} (container ${p.target})`;
}

/** Splits at ":" outside `${...}`. */
function topLevelColons(s: string): number[] {
  const out: number[] = [];
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}') depth--;
    else if (s[i] === ':' && depth === 0) out.push(i);
  }
  return out;
}

/**
 * Binds a published port to 127.0.0.1: inside the quotes of a short-syntax port, or with a
 * `host_ip` line in long syntax. undefined when no minimal edit is certain (flow mappings, an
 * address that comes from a variable, a port written in another file).
 */
export function bindToLocalhost(ctx: ComposeServiceContext, port: PortMapping, span: Span): Fix | undefined {
  if (span.file !== ctx.file || span.offset === undefined || span.endOffset === undefined) return undefined;
  const title = 'Bind the port to 127.0.0.1';
  const slice = ctx.text.slice(span.offset, span.endOffset);
  if (slice.startsWith('{')) return undefined;
  if (/^[A-Za-z_][\w-]*[ \t]*:(\s|$)/.test(slice)) {
    // Long syntax.
    const m = /(^|\n)[ \t]*host_ip[ \t]*:[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s#]*)/.exec(slice);
    if (m) {
      const token = m[2]!;
      if (token.includes('$') || token === '') return undefined;
      const at = span.offset + m.index + m[0].length - token.length;
      const q = /^["']/.test(token) ? token[0]! : '';
      return fix(title, replaceSpan({ ...span, offset: at, endOffset: at + token.length }, `${q}127.0.0.1${q}`));
    }
    if (!ownedByService(ctx, span)) return undefined;
    const before = ctx.text.slice(lineStart(ctx.text, span.offset), span.offset);
    if (!/^[ -]*$/.test(before)) return undefined;
    const after = afterLastLine(ctx.text, span.offset, span.endOffset, before.length);
    const br = eol(ctx.text);
    const nl = ctx.text[after - 1] === '\n' || after === 0 ? '' : br;
    return fix(title, insertAt(after, `${nl}${' '.repeat(before.length)}host_ip: 127.0.0.1${br}`));
  }
  // Short syntax: [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]
  const c = scalarContent(ctx.text, span);
  const content = ctx.text.slice(c.offset, c.end);
  if (/[\n#]/.test(content) || /^[|>]/.test(content)) return undefined;
  // A default that holds a ":" (`${EXPOSE_PORT-:2283:2283}`) hides the structure: leave it alone.
  if ([...content.matchAll(/\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-+?])?([^}]*)\}/g)].some((m) => m[1]!.includes(':'))) return undefined;
  let next: string | undefined;
  if (content.startsWith('[')) {
    if (content.startsWith('[::]:')) next = `127.0.0.1${content.slice(4)}`;
  } else {
    const colons = topLevelColons(content);
    if (port.host_ip !== undefined && colons.length < 2) return undefined; // the address comes from a variable
    if (colons.length === 0) next = `127.0.0.1::${content}`;
    else if (colons.length === 1) next = `127.0.0.1:${content}`;
    else if (colons.length === 2) {
      const ip = content.slice(0, colons[0]);
      if (ip === '' || ip === '0.0.0.0') next = `127.0.0.1${content.slice(colons[0])}`;
    }
  }
  if (next === undefined) return undefined;
  if (!next.includes('$') && !parsePortShort(next).ok) return undefined;
  return fix(title, replaceSpan({ ...span, offset: c.offset, endOffset: c.end }, next));
}

// Mounts

/** The container engine's API socket this path is, if it is one. */
export function engineSocket(path: string | undefined): 'Docker' | 'Podman' | 'containerd' | undefined {
  const m = /(?:^|\/)(docker|podman|containerd)\.sock$/.exec(path ?? '');
  if (!m) return undefined;
  return m[1] === 'docker' ? 'Docker' : m[1] === 'podman' ? 'Podman' : 'containerd';
}

/** A bind mount's source as the file writes it (`${XDG_RUNTIME_DIR}/podman/podman.sock`), for messages. */
export function writtenSource(ctx: ComposeServiceContext, i: number, v: VolumeMount): string {
  const span = spanAt(ctx.service.node, ['volumes', i, 'source']);
  if (span.file !== ctx.file || span.offset === undefined) return v.source ?? '';
  const c = scalarContent(ctx.text, span);
  const text = ctx.text.slice(c.offset, c.end);
  const colon = topLevelColons(text)[0];
  if (colon !== undefined) return text.slice(0, colon);
  return text.includes('\n') ? (v.source ?? '') : text;
}

// Environment values

/** Variable names that hold a secret. */
export const SECRET_NAME =
  /(PASSWORD|PASSWD|PASSPHRASE|(^|_)PASS$|(^|_)PWD$|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|AUTH_?KEY|CREDENTIALS?$|ENCRYPTION_?KEY|SIGNING_?KEY|MASTER_?KEY|LICEN[CS]E_?KEY|(^|_)SALT$)/i;

/** Names that match SECRET_NAME but hold a setting about the secret, not the secret. */
const NOT_SECRET =
  /(_FILE|_PATH|_DIR|_URL|_URI|_HOST|_PORT|_USER|_USERNAME|_LENGTH|_LEN|_EXPIRY|_EXPIRES?(_IN)?|_EXPIRATION|_TTL|_TIMEOUT|_LIFETIME|_AGE|_ENABLED?|_DISABLED?|_REQUIRED|_TYPE|_HEADER|_ALGORITHM|_ALG|_METHOD|_POLICY|_ROUNDS|_ITERATIONS|_HASH|_COUNT|_SIZE|_INTERVAL|_PROVIDER|_MODE|_STRATEGY|_BACKEND|_ISSUER|_AUDIENCE|_SCOPES?|_ID|_CMD|_COMMAND|_NAME|_LOCATION|_STORE|_FORMAT|_PREFIX)$|(^|_)(MIN|MAX|ALLOW|DISABLE|ENABLE|RESET|RANDOM|ALLOW_EMPTY|SKIP|USE|REQUIRE)(_|$)/i;

/** Whether text written in a compose file reads a variable (`${X}`, `$X`; `$$` is a literal dollar). */
export function readsVariable(raw: string): boolean {
  return /\$(\{|[A-Za-z_])/.test(raw.replace(/\$\$/g, ''));
}

export interface EnvValue {
  name: string;
  value: string | null;
  entry: LEntry;
  /** The value as written in this file (inside quotes), with its offsets; undefined when it cannot be located. */
  raw?: { offset: number; end: number; text: string };
}

/** The service's environment with each value located in the text: `KEY: value` or `- KEY=value`. */
export function environment(ctx: ComposeServiceContext): EnvValue[] {
  const env = ctx.service.node.entries.find((e) => e.key === 'environment')?.value;
  if (env?.kind !== 'map') return [];
  return env.entries.map((entry) => {
    const value = entry.value.kind === 'scalar' ? (entry.value.value === null ? null : String(entry.value.value)) : null;
    const out: EnvValue = { name: entry.key, value, entry };
    const span = entry.value.span;
    if (span.file !== ctx.file || span.offset === undefined || value === null) return out;
    const c = scalarContent(ctx.text, span);
    const text = ctx.text.slice(c.offset, c.end);
    if (c.quote === '' && /^[|>]/.test(text)) return out; // block scalar
    const list = entry.keySpan.offset === span.offset; // `- KEY=value`
    if (list) {
      const eq = text.indexOf('=');
      if (eq < 0) return out;
      out.raw = { offset: c.offset + eq + 1, end: c.end, text: text.slice(eq + 1) };
    } else out.raw = { offset: c.offset, end: c.end, text };
    return out;
  });
}

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !NOT_SECRET.test(name);
}
