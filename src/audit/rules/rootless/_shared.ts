import { posix } from 'node:path';
import type { Span } from '../../../diagnostics/span.js';
import type { VolumeMount } from '../../../model/compose.js';
import { get, nodeAt, type LMap, type LNode } from '../../../source/tree.js';
import type { AuditSettings, ComposeServiceContext, TextEdit } from '../../rule.js';

/*
 * Helpers shared by the rootless rules (the "_" prefix keeps this file out of the rule catalogue):
 * the roots of berth.yml, bind mounts as written, engine sockets, and the order of insertions at one
 * offset.
 */

/** The rootful engine's API socket, at the paths agents mount it from. */
export const DOCKER_SOCKETS: ReadonlySet<string> = new Set(['/var/run/docker.sock', '/run/docker.sock']);

/** Variables without a value that the text at `span` reads; for a span in another file (extends, include), any unset variable of the project. */
export function unset(ctx: ComposeServiceContext, span: Span): string[] {
  if (span.file === ctx.file) return ctx.unsetIn(span);
  return ctx.project.unresolved.size ? [...ctx.project.unresolved.keys()] : [];
}

/** Whether `path` is the absolute root `root` or lies below it. */
export function under(path: string, root: string): boolean {
  const r = root.replace(/\/+$/, '');
  if (!r.startsWith('/')) return false;
  const p = posix.normalize(path);
  return p === r || p.startsWith(`${r}/`);
}

/** The roots that live on network storage, as [name, value] pairs. */
export function networkRoots(settings: AuditSettings): (readonly [string, string])[] {
  return settings.networkRoots.flatMap((name) => (typeof settings.roots[name] === 'string' ? [[name, settings.roots[name]] as const] : []));
}

/** Splits SOURCE:TARGET:MODE on the colons outside ${...}. */
export function splitColons(raw: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '$' && raw[i + 1] === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    if (c === ':' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

export interface Mount {
  mount: VolumeMount;
  node: LMap;
  span: Span;
  /** Written as a SOURCE:TARGET[:MODE] string (the canonical tree puts every part at the string's span). */
  short: boolean;
}

/** The service's volumes with their nodes in the canonical tree. */
export function mountsOf(ctx: ComposeServiceContext): Mount[] {
  const seq = get(ctx.service.node, 'volumes');
  if (seq?.kind !== 'seq') return [];
  return ctx.service.config.volumes.flatMap((mount, i) => {
    const node = seq.items[i];
    if (node?.kind !== 'map') return [];
    const first = node.entries[0];
    const short = first !== undefined && first.keySpan.offset === node.span.offset && first.keySpan.endOffset === node.span.endOffset;
    return [{ mount, node, span: node.span, short }];
  });
}

/** Where a volume's source is written: the `source:` scalar in long syntax, the whole SOURCE:TARGET string in short syntax. */
export function sourceSpan(item: LNode): { span: Span; long: boolean } {
  const sourceNode = nodeAt(item, ['source']);
  const long = sourceNode !== undefined && sourceNode.span.offset !== item.span.offset;
  return { span: long ? sourceNode.span : item.span, long };
}

/*
 * Insertions at one offset from several rules are applied in no defined order. Widening an insertion
 * to the character before it makes it go first (it extends the block that ends there); widening it
 * to the character after makes it go last (a new key after whatever others add to that block).
 */

export function goFirst(text: string, edit: TextEdit | undefined): TextEdit | undefined {
  if (!edit || edit.offset !== edit.end || edit.offset === 0) return edit;
  return { offset: edit.offset - 1, end: edit.end, text: text[edit.offset - 1]! + edit.text };
}

export function goLast(text: string, edit: TextEdit | undefined): TextEdit | undefined {
  if (!edit || edit.offset !== edit.end || edit.end >= text.length) return edit;
  return { offset: edit.offset, end: edit.end + 1, text: edit.text + text[edit.end]! };
}
