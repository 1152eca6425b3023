import { basename, dirname, resolve } from 'node:path';
import { error, hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Span } from '../diagnostics/span.js';
import type { ComposeProject, Service, TopLevel } from '../model/compose.js';
import { checkSchema } from '../config/schema-check.js';
import type { FileSource } from '../source/files.js';
import { entry, get, map, scalarText, toPlain, type LMap, type LNode } from '../source/tree.js';
import { didYouMean } from '../util/suggest.js';
import { canonicalService, resolveHostPath, serviceConfig } from './canonical.js';
import { interpolateTree } from './interpolate-tree.js';
import { interpolate } from './interpolate.js';
import { mergeMaps } from './merge.js';
import { validator } from '../schemas/validators.js';
import { normaliseProjectName } from './project-name.js';

export interface LoadOptions {
  /** Variables from outside the project (berth roots, host facts). They win over the project's .env. */
  env?: Record<string, string>;
  /** Active profiles; services with profiles run only when one of theirs is active. */
  profiles?: string[];
  /** Every profile active: every service is in the project (an audit looks at all of them). */
  allProfiles?: boolean;
  /** The project name; defaults to the file's top-level `name:`, then its folder name. */
  projectName?: string;
  /** Whether `${VAR:?msg}` with VAR unset is an error (a deployment) or only a warning (an audit of files alone). */
  strictVariables?: boolean;
  /** What an unset variable without a default means here. Default: record it as "cannot tell", no diagnostic. */
  onUnset?: (name: string, span: Span) => Diagnostic | undefined;
}

export interface LoadResult {
  project?: ComposeProject;
  diagnostics: Diagnostic[];
}

const RESOURCE_KINDS = ['networks', 'volumes', 'secrets', 'configs'] as const;

/**
 * Loads a compose file the way the compose specification defines it: interpolation, schema
 * validation, `include`, `extends`, profiles, and canonical long forms, with a position on
 * every value. User mistakes come back as diagnostics, all of them together; it never throws
 * for bad input.
 */
export function loadCompose(file: string, source: FileSource, options: LoadOptions = {}): LoadResult {
  return new Loader(source, options).loadProject(resolve(file), []);
}

interface Prepared {
  file: string;
  root: LMap;
  used: Map<string, Span>;
  unresolved: Map<string, Span>;
}

class Loader {
  private readonly prepared = new Map<string, Prepared | undefined>();
  constructor(
    private readonly source: FileSource,
    private readonly options: LoadOptions,
  ) {}

  /**
   * Parses, interpolates and validates one file (once per file). YAML and schema errors stop the
   * file; variable errors do not, so one run reports everything else that is wrong too.
   */
  private prepare(file: string, diagnostics: Diagnostic[]): Prepared | undefined {
    if (this.prepared.has(file)) return this.prepared.get(file);
    const parsed = this.source.yaml(file);
    const diags: Diagnostic[] = [...parsed.diagnostics];
    let result: Prepared | undefined;
    if (!hasErrors(diags)) {
      const root = parsed.root ?? map([], { file, line: 1, col: 1, endLine: 1, endCol: 1 });
      if (parsed.root === undefined || (root.kind === 'scalar' && root.value === null)) {
        diags.push(error('SCHEMA', root.span, 'the compose file is empty', 'define at least one service under "services:"'));
      } else if (root.kind !== 'map') {
        diags.push(error('SCHEMA', root.span, 'a compose file must be a mapping with a "services" key', 'start the file with "services:"'));
      } else {
        const dotenv = this.source.dotenv(resolve(dirname(file), '.env'));
        diags.push(...dotenv.diagnostics);
        const env = this.options.env ?? {};
        // .env values may read the outside variables and the .env lines above them, as compose reads them.
        const dotvars = new Map<string, string>();
        for (const [k, v] of dotenv.vars) {
          dotvars.set(k, dotenv.literal.has(k) ? v : interpolate(v, (n) => (Object.hasOwn(env, n) ? env[n] : dotvars.get(n))).value);
        }
        const lookup = (name: string) => (Object.hasOwn(env, name) ? env[name] : dotvars.get(name));
        const interp = interpolateTree(root, lookup, this.options.strictVariables ?? false);
        diags.push(...interp.diagnostics);
        if (this.options.onUnset) {
          for (const [name, span] of interp.unresolved) {
            const d = this.options.onUnset(name, span);
            if (d) diags.push(d);
          }
        }
        const tree = interp.node as LMap;
        const schema = checkSchema(validator('compose'), tree, 'the compose file');
        diags.push(...schema);
        if (!hasErrors(schema)) result = { file, root: tree, used: interp.used, unresolved: interp.unresolved };
      }
    }
    this.prepared.set(file, result);
    diagnostics.push(...diags);
    return result;
  }

  loadProject(file: string, includeChain: string[]): LoadResult {
    const diagnostics: Diagnostic[] = [];
    const p = this.prepare(file, diagnostics);
    if (!p) return { diagnostics };
    const baseDir = dirname(file);
    const files = [file];
    const variables = new Map(p.used);
    const unresolved = new Map(p.unresolved);

    // Services, with extends resolved.
    const services: Record<string, Service> = {};
    const servicesNode = get(p.root, 'services');
    if (servicesNode?.kind === 'map') {
      for (const e of servicesNode.entries) {
        const node = this.resolveService(p, e.key, [], diagnostics, files);
        if (node) services[e.key] = { name: e.key, span: e.keySpan, node, config: serviceConfig(node) };
      }
    }

    const resources = {} as Record<(typeof RESOURCE_KINDS)[number], Record<string, TopLevel>>;
    for (const kind of RESOURCE_KINDS) resources[kind] = topLevel(get(p.root, kind), kind, baseDir);

    // include: each included file is a project of its own, merged in; names may not collide.
    const include = get(p.root, 'include');
    if (include?.kind === 'seq') {
      for (const item of include.items) {
        for (const { path, span } of includePaths(item, baseDir)) {
          if (includeChain.includes(path) || path === file) {
            diagnostics.push(error('INCLUDE_INVALID', span, `include cycle: ${[...includeChain, file, path].map((f) => basename(f)).join(' → ')}`, 'remove one of the include entries that form the cycle'));
            continue;
          }
          if (!this.source.exists(path)) {
            diagnostics.push(error('INCLUDE_INVALID', span, `included file ${path} does not exist`, 'check the path; it is relative to the including file'));
            continue;
          }
          const sub = this.loadProject(path, [...includeChain, file]);
          diagnostics.push(...sub.diagnostics);
          if (!sub.project) continue;
          files.push(...sub.project.files);
          for (const [k, v] of sub.project.variables) if (!variables.has(k)) variables.set(k, v);
          for (const [k, v] of sub.project.unresolved) if (!unresolved.has(k)) unresolved.set(k, v);
          for (const [name, svc] of Object.entries(sub.project.services)) {
            if (services[name]) {
              diagnostics.push(error('INCLUDE_INVALID', span, `service "${name}" is defined both here and in included file ${basename(path)}`, 'rename one of them; included resources may not be redefined'));
            } else services[name] = svc;
          }
          for (const kind of RESOURCE_KINDS) {
            for (const [name, res] of Object.entries(sub.project[kind])) resources[kind][name] ??= res;
          }
        }
      }
    }

    // An included file is only a part: profiles and cross-references apply to the whole project.
    const profiles = [...new Set(Object.values(services).flatMap((s) => s.config.profiles))].sort();
    if (includeChain.length > 0) {
      return { diagnostics, project: this.project(p, services, [], profiles, resources, files, variables, unresolved, servicesNode) };
    }

    // Profiles: inactive services drop out, unless an active service depends on them.
    const active = new Set(this.options.profiles ?? []);
    const enabled = new Set(
      Object.values(services)
        .filter((s) => this.options.allProfiles || s.config.profiles.length === 0 || s.config.profiles.some((pr) => active.has(pr)))
        .map((s) => s.name),
    );
    const queue = [...enabled];
    while (queue.length) {
      const s = services[queue.pop()!];
      for (const dep of Object.keys(s?.config.depends_on ?? {})) {
        if (services[dep] && !enabled.has(dep)) {
          enabled.add(dep);
          queue.push(dep);
        }
      }
    }
    const inactiveServices = Object.keys(services).filter((n) => !enabled.has(n));
    for (const n of inactiveServices) delete services[n];

    checkReferences(services, inactiveServices, resources, diagnostics, (svc) => this.extendsFailed.has(`${file}#${svc}`));

    // The project is returned even with errors, so checks across stacks still see it; callers look at the diagnostics.
    return { diagnostics, project: this.project(p, services, inactiveServices, profiles, resources, files, variables, unresolved, servicesNode) };
  }

  private project(
    p: Prepared,
    services: Record<string, Service>,
    inactiveServices: string[],
    profiles: string[],
    resources: Record<(typeof RESOURCE_KINDS)[number], Record<string, TopLevel>>,
    files: string[],
    variables: Map<string, Span>,
    unresolved: Map<string, Span>,
    servicesNode: LNode | undefined,
  ): ComposeProject {
    const name = this.options.projectName ?? nameOf(p.root) ?? normaliseProjectName(basename(dirname(p.file))).name;
    const at = servicesNode?.span ?? p.root.span;
    const root = map(
      [...p.root.entries.filter((e) => e.key !== 'services'), { key: 'services', keySpan: at, value: map(Object.values(services).map((s) => ({ key: s.name, keySpan: s.span, value: s.node })), at) }],
      p.root.span,
    );
    return { name, file: p.file, files: [...new Set(files)], services, inactiveServices, profiles, ...resources, variables, unresolved, root };
  }

  /** A service's canonical definition with its `extends` chain merged in. */
  /** Services whose extends failed: already reported, so "no image" would only repeat it. */
  readonly extendsFailed = new Set<string>();

  private failed(p: Prepared, name: string, own: LMap): LMap {
    this.extendsFailed.add(`${p.file}#${name}`);
    return own;
  }

  private resolveService(p: Prepared, name: string, chain: string[], diagnostics: Diagnostic[], files: string[]): LMap | undefined {
    const raw = get(get(p.root, 'services'), name);
    if (raw?.kind !== 'map') return raw?.kind === 'scalar' && raw.value === null ? map([], raw.span) : undefined;
    const { node, diagnostics: d } = canonicalService(raw, dirname(p.file));
    diagnostics.push(...d);
    const ext = entry(node, 'extends');
    if (!ext) return node;
    const own = map(node.entries.filter((e) => e !== ext), node.span);
    const ref = extendsRef(ext.value);
    if (!ref) {
      diagnostics.push(error('EXTENDS_INVALID', ext.value.span, 'extends must name a service, or be a mapping with "service" and optional "file"'));
      return this.failed(p, name, own);
    }
    const targetFile = ref.file ? resolve(dirname(p.file), ref.file) : p.file;
    const id = `${targetFile}#${ref.service}`;
    if (chain.includes(id) || id === `${p.file}#${name}`) {
      diagnostics.push(error('EXTENDS_INVALID', ext.value.span, `extends cycle: ${[...chain, `${p.file}#${name}`, id].map((x) => x.split('#')[1]).join(' → ')}`, 'a service cannot extend itself, directly or through others'));
      return this.failed(p, name, own);
    }
    let target = p;
    if (ref.file) {
      if (!this.source.exists(targetFile)) {
        diagnostics.push(error('EXTENDS_INVALID', ext.value.span, `extends names file ${ref.file}, which does not exist`, 'the path is relative to this compose file'));
        return this.failed(p, name, own);
      }
      const t = this.prepare(targetFile, diagnostics);
      if (!t) return this.failed(p, name, own);
      files.push(targetFile);
      target = t;
    }
    const servicesOfTarget = get(target.root, 'services');
    const names = servicesOfTarget?.kind === 'map' ? servicesOfTarget.entries.map((e) => e.key) : [];
    if (!names.includes(ref.service)) {
      diagnostics.push(error('EXTENDS_INVALID', ext.value.span, `extends names service "${ref.service}", which ${ref.file ? `${ref.file} does` : 'this file does'} not define`, didYouMean(ref.service, names)));
      return this.failed(p, name, own);
    }
    const base = this.resolveService(target, ref.service, [...chain, `${p.file}#${name}`], diagnostics, files);
    return base ? mergeMaps(base, own) : own;
  }
}

function extendsRef(v: LNode): { service: string; file?: string } | undefined {
  if (v.kind === 'scalar' && v.value !== null) return { service: scalarText(v) };
  if (v.kind !== 'map') return undefined;
  const plain = toPlain(v) as { service?: unknown; file?: unknown };
  if (typeof plain.service !== 'string') return undefined;
  return typeof plain.file === 'string' ? { service: plain.service, file: plain.file } : { service: plain.service };
}

function includePaths(item: LNode, baseDir: string): { path: string; span: Span }[] {
  if (item.kind === 'scalar') return [{ path: resolve(baseDir, scalarText(item)), span: item.span }];
  if (item.kind !== 'map') return [];
  const p = get(item, 'path');
  if (p?.kind === 'scalar') return [{ path: resolve(baseDir, scalarText(p)), span: p.span }];
  if (p?.kind === 'seq') return p.items.filter((i) => i.kind === 'scalar').map((i) => ({ path: resolve(baseDir, scalarText(i as never)), span: i.span }));
  return [];
}

function nameOf(root: LMap): string | undefined {
  const n = get(root, 'name');
  return n?.kind === 'scalar' && n.value ? scalarText(n) : undefined;
}

function topLevel(node: LNode | undefined, kind: string, baseDir: string): Record<string, TopLevel> {
  const out: Record<string, TopLevel> = {};
  if (node?.kind !== 'map') return out;
  for (const e of node.entries) {
    const config = (e.value.kind === 'map' ? toPlain(e.value) : {}) as Record<string, unknown>;
    if ((kind === 'secrets' || kind === 'configs') && typeof config.file === 'string') config.file = resolveHostPath(config.file, baseDir);
    out[e.key] = { name: e.key, span: e.keySpan, config };
  }
  return out;
}

function checkReferences(
  services: Record<string, Service>,
  inactive: string[],
  resources: Record<(typeof RESOURCE_KINDS)[number], Record<string, TopLevel>>,
  diagnostics: Diagnostic[],
  extendsFailed: (service: string) => boolean,
): void {
  const names = Object.keys(services);
  const unknownService = (dep: string, span: Span, what: string) => {
    const why = inactive.includes(dep) ? `, which no active profile enables` : ', which is not defined';
    diagnostics.push(error('DEPENDS_UNKNOWN', span, `${what} "${dep}"${why}`, didYouMean(dep, names) ?? `services: ${names.join(', ')}`));
  };
  for (const s of Object.values(services)) {
    const c = s.config;
    if (c.image === undefined && c.build === undefined && !extendsFailed(s.name)) {
      diagnostics.push(error('SERVICE_NO_IMAGE', s.span, `service "${s.name}" has neither an image nor a build section`, 'add "image: registry/name:tag", or "build: ./path" to build it'));
    }
    const depends = entry(s.node, 'depends_on')?.value;
    for (const dep of Object.keys(c.depends_on)) {
      if (services[dep]) continue;
      const d = entry(depends, dep);
      if (c.depends_on[dep]?.required === false) continue;
      unknownService(dep, d?.keySpan ?? s.span, `service "${s.name}" depends on`);
    }
    const nm = c.network_mode;
    if (typeof nm === 'string' && nm.startsWith('service:') && !services[nm.slice(8)]) {
      unknownService(nm.slice(8), entry(s.node, 'network_mode')!.value.span, `service "${s.name}" shares the network of`);
    }
    const nets = entry(s.node, 'networks')?.value;
    for (const net of Object.keys(c.networks)) {
      if (net === 'default' || resources.networks[net]) continue;
      diagnostics.push(error('NETWORK_UNKNOWN', entry(nets, net)?.keySpan ?? s.span, `service "${s.name}" uses network "${net}", which is not declared under the top-level "networks"`, didYouMean(net, Object.keys(resources.networks)) ?? `declare it: networks: { ${net}: {} }`));
    }
    const vols = entry(s.node, 'volumes')?.value;
    c.volumes.forEach((v, i) => {
      if (v.type !== 'volume' || !v.source || resources.volumes[v.source]) return;
      const span = vols?.kind === 'seq' ? (vols.items[i]?.span ?? s.span) : s.span;
      diagnostics.push(error('VOLUME_UNKNOWN', span, `service "${s.name}" mounts named volume "${v.source}", which is not declared under the top-level "volumes"`, didYouMean(v.source, Object.keys(resources.volumes)) ?? `declare it (volumes: { ${v.source}: {} }), or write a path such as ./${v.source} for a bind mount`));
    });
    for (const kind of ['secrets', 'configs'] as const) {
      const refs = entry(s.node, kind)?.value;
      c[kind].forEach((r, i) => {
        if (resources[kind][r.source]) return;
        const span = refs?.kind === 'seq' ? (refs.items[i]?.span ?? s.span) : s.span;
        diagnostics.push(error('SECRET_UNKNOWN', span, `service "${s.name}" uses ${kind.slice(0, -1)} "${r.source}", which is not declared under the top-level "${kind}"`, didYouMean(r.source, Object.keys(resources[kind]))));
      });
    }
  }
}

