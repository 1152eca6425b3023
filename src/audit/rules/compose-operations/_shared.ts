import { basename } from 'node:path';
import type { Diagnostic } from '../../../diagnostics/diagnostic.js';
import type { Span } from '../../../diagnostics/span.js';
import type { ComposeProject } from '../../../model/compose.js';
import { entry, get, map, type LMap, type LNode } from '../../../source/tree.js';
import { indentAt } from '../../fix-helpers.js';
import type { ComposeServiceContext, SiblingCompose } from '../../rule.js';
import { startsIn } from '../_spans.js';

/**
 * Helpers shared by the compose-operations rules (the "_" prefix keeps this file out of the rule
 * catalogue): loader messages, fragments of multi-file setups, a service's own mapping for edits,
 * places reported once per project, and automatic image updates.
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
const oneShots = new WeakMap<ComposeProject, Set<string>>();

export function isOneShot(ctx: ComposeServiceContext): boolean {
  let set = oneShots.get(ctx.project);
  if (!set) {
    set = new Set(
      Object.values(ctx.project.services).flatMap((s) =>
        Object.entries(s.config.depends_on)
          .filter(([, d]) => d.condition === 'service_completed_successfully')
          .map(([name]) => name),
      ),
    );
    oneShots.set(ctx.project, set);
  }
  return set.has(ctx.service.name);
}

// ---------------------------------------------------------------------------------------------
// Editing a service as written

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
  return ownBlock(text, node);
}

/**
 * A block mapping with only the entries written inside it, in text order (a merge key brings
 * entries written elsewhere); undefined for a flow mapping or when no entry is its own.
 */
export function ownBlock(text: string, node: LMap): LMap | undefined {
  if (text[node.span.offset ?? 0] === '{') return undefined;
  const entries = node.entries.filter((e) => startsIn(e.keySpan, node.span)).sort((a, b) => (a.keySpan.offset ?? 0) - (b.keySpan.offset ?? 0));
  return entries.length ? map(entries, node.span) : undefined;
}

/** One level of indentation as the file writes it below the key at `parent` (2 when it cannot tell). */
export function indentStep(text: string, parent: Span, child: LMap): string {
  const first = child.entries[0];
  const n = first ? indentAt(text, first.keySpan.offset ?? 0).length - indentAt(text, parent.offset ?? 0).length : 0;
  return ' '.repeat(n > 0 ? n : 2);
}

/**
 * A rule's record of the places it reported in each project: a block written once under an anchor
 * is one place for all the services that use it. The function it returns is true the first time it
 * sees a key in a project, false after.
 */
export function firstReport(): (project: ComposeProject, key: string) => boolean {
  const reported = new WeakMap<ComposeProject, Set<string>>();
  return (project, key) => {
    const seen = reported.get(project) ?? new Set<string>();
    reported.set(project, seen);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// Image updates

/** Labels with which a service opts in to automatic updates of its tag (seed 004: podman auto-update). */
export function autoUpdates(labels: Record<string, string>): boolean {
  const podman = labels['io.containers.autoupdate']?.trim().toLowerCase();
  if (podman === 'registry' || podman === 'image' || podman === 'local') return true;
  return labels['com.centurylinklabs.watchtower.enable']?.trim().toLowerCase() === 'true';
}
