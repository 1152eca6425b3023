import { basename } from 'node:path';
import type { Diagnostic } from '../../../../diagnostics/diagnostic.js';
import type { Span } from '../../../../diagnostics/span.js';
import type { ComposeProject } from '../../../../model/compose.js';
import { entry, get, map, type LEntry, type LMap, type LNode } from '../../../../source/tree.js';
import { indentAt, lineEnd } from '../../../fix-helpers.js';
import type { ComposeServiceContext, SiblingCompose } from '../../../rule.js';

/**
 * Shared helpers of the compose-operations rules (an index.ts, so the rule catalogue does not take it
 * for a rule): loader messages, fragments of multi-file setups, a service's own mapping for edits,
 * and image references.
 */

/** The loader's message with its hint, as one sentence a report can show alone. */
export function withHint(d: Diagnostic): string {
  return d.hint ? `${d.message} (${d.hint.replace(/\.$/, '')})` : d.message;
}

// ---------------------------------------------------------------------------------------------
// Fragments: override files and files merged over another compose file

/** What a compose file declares, as far as references go. */
export interface Declared {
  file: string;
  /** Service name → whether it names an image, a build or a service it extends (a full definition, not an override). */
  services: Map<string, boolean>;
  networks: Set<string>;
  volumes: Set<string>;
  secrets: Set<string>;
  configs: Set<string>;
}

/** `compose.override.yml` and friends: merged over a base file, so they are partial by design. */
export function isOverrideFile(file: string): boolean {
  return /override/i.test(basename(file));
}

/** The names compose picks up by itself; anything else (`docker-compose.prod.yml`) is chosen with -f. */
function isPrimaryName(file: string): boolean {
  return /^(docker-|podman-)?compose\.ya?ml$/i.test(basename(file));
}

function declaredIn(file: string, root: LNode | undefined): Declared {
  const names = (key: string) => new Set(root?.kind === 'map' && get(root, key)?.kind === 'map' ? (get(root, key) as LMap).entries.map((e) => e.key) : []);
  const services = new Map<string, boolean>();
  const s = root?.kind === 'map' ? get(root, 'services') : undefined;
  if (s?.kind === 'map') for (const e of s.entries) services.set(e.key, ['image', 'build', 'extends'].some((k) => entry(e.value, k) !== undefined));
  return { file, services, networks: names('networks'), volumes: names('volumes'), secrets: names('secrets'), configs: names('configs') };
}

const declaredCache = new WeakMap<LNode, Declared>();

/**
 * What the other compose files of the folder declare (`compose.override.yml`, the base a
 * `compose.prod.yml` is merged over), from the siblings the engine parsed.
 */
export function siblings(ctx: { siblings: readonly SiblingCompose[] }): Declared[] {
  const out: Declared[] = [];
  for (const s of ctx.siblings) {
    if (!s.root) continue;
    let d = declaredCache.get(s.root);
    if (!d) {
      d = declaredIn(s.file, s.root);
      declaredCache.set(s.root, d);
    }
    out.push(d);
  }
  return out;
}

const fragments = new WeakMap<ComposeProject, { fragment: boolean; merged: Set<string> }>();

/**
 * Whether a compose file is evidently a part of a multi-file setup: an override file, or a file with
 * services that name no image or build which another compose file of the folder defines in full (or,
 * with a qualified name such as `compose.traefik.yml`, that cannot run alone).
 */
export function fragmentInfo(ctx: { file: string; project?: ComposeProject; root?: LNode; siblings: readonly SiblingCompose[] }): { fragment: boolean; merged: Set<string> } {
  const { file, project, root } = ctx;
  const cached = project ? fragments.get(project) : undefined;
  if (cached) return cached;
  const own = declaredIn(file, root ?? project?.root);
  const others = siblings(ctx);
  const merged = new Set<string>();
  let fragment = isOverrideFile(file);
  for (const [name, full] of own.services) {
    const elsewhere = others.some((o) => o.services.get(name) === true);
    if (!full && (elsewhere || !isPrimaryName(file))) fragment = true;
    if (elsewhere) merged.add(name);
  }
  const info = { fragment, merged: fragment ? merged : new Set<string>() };
  if (project) fragments.set(project, info);
  return info;
}

/**
 * A service the file defines only in part, so "X is missing" cannot be judged here: it names no image
 * or build (the loader reports that), it is in an override file, or the file is evidently merged over
 * another compose file of the folder that defines the same service.
 */
export function partialService(ctx: ComposeServiceContext): boolean {
  const c = ctx.service.config;
  if (c.image === undefined && c.build === undefined) return true;
  if (isOverrideFile(ctx.file)) return true;
  return fragmentInfo({ file: ctx.file, project: ctx.project, siblings: ctx.siblings }).merged.has(ctx.service.name);
}

/** Services that run once and exit: others wait for them with `condition: service_completed_successfully`. */
export function isOneShot(ctx: ComposeServiceContext): boolean {
  return Object.values(ctx.project.services).some((s) => s.config.depends_on[ctx.service.name]?.condition === 'service_completed_successfully');
}

// ---------------------------------------------------------------------------------------------
// Editing a service as written

function inside(span: Span, outer: Span): boolean {
  return span.file === outer.file && (span.offset ?? -1) >= (outer.offset ?? 0) && (span.offset ?? Infinity) < (outer.endOffset ?? -1);
}

/**
 * The service's mapping as written under its key in this file: entries brought in by merge keys,
 * `extends` or `include` left out. undefined when the service is an alias of a mapping written
 * elsewhere, comes from another file, or is a flow mapping: no minimal edit is safe there.
 */
export function ownMapping(ctx: ComposeServiceContext): LMap | undefined {
  const { service, text, file } = ctx;
  const node = service.node;
  const keyEnd = service.span.endOffset;
  const start = node.span.offset;
  if (service.span.file !== file || node.span.file !== file || keyEnd === undefined || start === undefined || start < keyEnd) return undefined;
  // Only `:` and an anchor between the key and its mapping: `web: *base` would edit the anchor.
  if (!/^\s*:\s*(&\S+\s*)?$/.test(text.slice(keyEnd, start).replace(/#[^\n]*/g, ''))) return undefined;
  if (text[start] === '{') return undefined;
  const entries = node.entries.filter((e) => inside(e.keySpan, node.span)).sort((a, b) => (a.keySpan.offset ?? 0) - (b.keySpan.offset ?? 0));
  return entries.length ? settled(text, map(entries, node.span)) : undefined;
}

/**
 * The end of the lines an entry covers: its key line, then every following line indented deeper
 * (comments too), up to the first line indented like the key or less. Blank lines and shallower
 * comments in between belong to what follows.
 */
function entryEnd(text: string, e: LEntry): number {
  const keyOffset = e.keySpan.offset ?? 0;
  const indent = indentAt(text, keyOffset).length;
  let end = lineEnd(text, keyOffset);
  for (let pos = end; pos < text.length; ) {
    const next = lineEnd(text, pos);
    const line = text.slice(pos, next).replace(/\r?\n$/, '');
    const depth = /^[ \t]*/.exec(line)![0].length;
    if (line.trim() !== '' && depth <= indent && !line.trimStart().startsWith('#')) break;
    if (line.trim() !== '' && depth > indent) end = next;
    pos = next;
  }
  // A flow collection may close on a line of its own at the key's indentation.
  const v = e.value.span;
  const flow = text[v.offset ?? 0] === '[' || text[v.offset ?? 0] === '{';
  if (flow && v.file === e.keySpan.file && (v.offset ?? 0) >= keyOffset && (v.endOffset ?? 0) > end) end = lineEnd(text, (v.endOffset ?? 1) - 1);
  return end;
}

/**
 * The mapping with its last value's span ending where its lines end, so `addToMapping` inserts right
 * after them: yaml stretches a block mapping that ends in an empty value (`networks: {front: }`) to the
 * next key, past comments, and a value from a merge key (`deploy: {<<: *base}`) has its spans elsewhere.
 */
export function settled(text: string, node: LMap): LMap {
  const last = node.entries[node.entries.length - 1];
  if (!last) return node;
  const value = { ...last.value, span: { ...last.value.span, endOffset: entryEnd(text, last) } } as LNode;
  return map([...node.entries.slice(0, -1), { ...last, value }], node.span);
}

/** One level of indentation as the file writes it under a service (2 when it cannot tell). */
export function indentUnit(ctx: ComposeServiceContext, own: LMap): string {
  const first = own.entries[0];
  const n = first ? indentAt(ctx.text, first.keySpan.offset ?? 0).length - indentAt(ctx.text, ctx.service.span.offset ?? 0).length : 0;
  return ' '.repeat(n > 0 ? n : 2);
}

// ---------------------------------------------------------------------------------------------
// Image references

export interface ImageParts {
  registry?: string;
  /** Repository path without the registry. */
  name: string;
  tag?: string;
  digest?: string;
}

/** Splits `registry:5000/org/app:1.2@sha256:...` into its parts, as the distribution reference grammar does. */
export function parseImage(ref: string): ImageParts {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { ...(registry ? { registry } : {}), name: rest, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Labels with which a service opts in to automatic updates of its tag (seed 004: podman auto-update). */
export function autoUpdates(labels: Record<string, string>): boolean {
  const podman = labels['io.containers.autoupdate']?.trim().toLowerCase();
  if (podman === 'registry' || podman === 'image' || podman === 'local') return true;
  return labels['com.centurylinklabs.watchtower.enable']?.trim().toLowerCase() === 'true';
}
