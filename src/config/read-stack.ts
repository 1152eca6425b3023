import type { ValidateFunction } from 'ajv';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.js';
import { fileSpan } from '../diagnostics/span.js';
import type { Monitor, ProxyEntry, SecretRef, Stack, StackManifest } from '../model/repo.js';
import type { FileSource } from '../source/files.js';
import { get, type LNode } from '../source/tree.js';
import { readBerthFile } from './read-berth-file.js';

const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

type RawProxy = Omit<ProxyEntry, 'span' | 'websocket' | 'lanOnly'> & { websocket?: boolean; lanOnly?: boolean };

interface RawManifest {
  description?: string;
  compose?: string;
  secrets?: (string | { name: string; vars?: string[] })[];
  mounts?: { required?: string[]; optional?: string[] };
  dirs?: { path: string; owner?: string; mode?: string }[];
  preStart?: string[];
  firewall?: { tcp?: number[]; udp?: number[] };
  after?: string[];
  profiles?: string[];
  proxy?: RawProxy[];
  monitors?: (Omit<Monitor, 'accept'> & { accept?: string[] })[];
}

/** Reads stacks/<name>/: its compose file (by compose's own precedence) and optional stack.yml. */
export function readStack(
  name: string,
  dir: string,
  repoDir: string,
  source: FileSource,
  validate: ValidateFunction,
  diagnostics: Diagnostic[],
): Stack | undefined {
  const manifestFile = join(dir, 'stack.yml');
  const hasManifest = source.exists(manifestFile);
  // An invalid stack.yml is reported and replaced by defaults, so the compose file is still checked
  // and hosts naming this stack do not see it as missing.
  const doc = hasManifest ? readBerthFile<RawManifest>(manifestFile, source, validate, 'stack.yml', diagnostics) : undefined;
  const raw = doc?.value ?? {};

  let composeFile: string;
  if (raw.compose !== undefined) {
    composeFile = resolve(dir, raw.compose);
    const inside = relative(dir, composeFile);
    if (raw.compose === '' || isAbsolute(raw.compose) || inside.startsWith('..') || inside === '') {
      diagnostics.push(error('SCHEMA', get(doc!.root, 'compose')!.span, `stack.yml names compose file "${raw.compose}", which is not a file inside the stack's folder`, 'name a file in stacks/' + name + '/, e.g. compose: compose.prod.yml'));
      return undefined;
    }
    if (!source.exists(composeFile)) {
      diagnostics.push(error('COMPOSE_NOT_FOUND', get(doc!.root, 'compose')!.span, `stack.yml names compose file ${raw.compose}, which does not exist`, `create ${relative(repoDir, composeFile)}, or fix the name`));
      return undefined;
    }
  } else {
    const found = COMPOSE_FILE_NAMES.filter((f) => source.exists(join(dir, f)));
    if (found.length === 0) {
      diagnostics.push(error('COMPOSE_NOT_FOUND', fileSpan(dir), `stack "${name}" has no compose file`, `create ${relative(repoDir, join(dir, 'compose.yml'))}, or name the file in stack.yml (compose: myfile.yml)`));
      return undefined;
    }
    if (found.length > 1) {
      diagnostics.push(warning('COMPOSE_AMBIGUOUS', fileSpan(join(dir, found[1]!)), `stack "${name}" has ${found.join(' and ')}; berth uses ${found[0]}, as compose does`, 'remove the files you do not use, or name one in stack.yml (compose: ...)'));
    }
    composeFile = join(dir, found[0]!);
  }

  const root = doc?.root;
  const stack: Stack = {
    name,
    dir,
    composeFile,
    manifest: manifest(raw, root, repoDir),
    span: fileSpan(composeFile),
  };
  if (hasManifest) stack.manifestFile = manifestFile;
  return stack;
}

function manifest(raw: RawManifest, root: LNode | undefined, repoDir: string): StackManifest {
  const itemSpan = (key: string, i: number) => {
    const list = get(root, key);
    return (list?.kind === 'seq' ? list.items[i]?.span : undefined) ?? list?.span ?? root?.span ?? fileSpan(repoDir);
  };
  const secrets: SecretRef[] = (raw.secrets ?? []).map((s, i) => {
    const ref = typeof s === 'string' ? { name: s } : s;
    return { ...ref, file: join(repoDir, 'secrets', `${ref.name}.env.age`), span: itemSpan('secrets', i) };
  });
  const m: StackManifest = {
    secrets,
    mounts: { required: raw.mounts?.required ?? [], optional: raw.mounts?.optional ?? [] },
    dirs: (raw.dirs ?? []).map((d) => ({ ...d, owner: d.owner ?? 'user' })),
    preStart: raw.preStart ?? [],
    firewall: { tcp: raw.firewall?.tcp ?? [], udp: raw.firewall?.udp ?? [] },
    after: (raw.after ?? []).map((name, i) => ({ name, span: itemSpan('after', i) })),
    profiles: raw.profiles ?? [],
    proxy: (raw.proxy ?? []).map((p, i) => ({ ...p, websocket: p.websocket ?? false, lanOnly: p.lanOnly ?? false, span: itemSpan('proxy', i) })),
    monitors: (raw.monitors ?? []).map((mon) => ({ ...mon, accept: mon.accept ?? ['200-299'] })),
  };
  // One line wherever it is shown: unit Description=, tables. A YAML block scalar may span several.
  if (raw.description !== undefined) m.description = raw.description.replace(/\s+/g, ' ').trim();
  return m;
}
