import { readdirSync } from 'node:fs';
import { secretPlaceholders } from './secret-placeholder.js';
import { isDir } from '../util/fs.js';
import { dirname, join, relative, resolve } from 'node:path';
import { loadCompose } from '../compose/load.js';
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.js';
import { fileSpan, type Span } from '../diagnostics/span.js';
import type { BerthConfig, ComposeSettings, Deployment, Host, ProxyConfig, Repo, Stack, SubIdRange } from '../model/repo.js';
import type { FileSource } from '../source/files.js';
import { entry, get, type LNode } from '../source/tree.js';
import { runChecks } from './checks/index.js';
import { scheduleChecks } from './checks/schedules.js';
import { readBerthFile } from './read-berth-file.js';
import { validator } from '../schemas/validators.js';
import { readStack } from './read-stack.js';
import { hostEnv } from './variables.js';
import { didYouMean } from '../util/suggest.js';


export interface RepoLoad {
  repo?: Repo;
  diagnostics: Diagnostic[];
}

interface RawBerth {
  engine?: BerthConfig['engine'];
  mode?: BerthConfig['mode'];
  user?: string;
  uid?: number;
  roots?: Record<string, string>;
  networkRoots?: string[];
  autoUpdate?: Partial<BerthConfig['autoUpdate']>;
  prune?: Partial<BerthConfig['prune']>;
  secrets?: Partial<BerthConfig['secrets']>;
  audit?: Record<string, unknown>;
  compose?: Partial<ComposeSettings>;
  subuids?: Partial<SubIdRange>;
  proxy?: Partial<ProxyConfig>;
}

interface RawHost {
  address?: string;
  stacks: string[];
  roots?: Record<string, string>;
  user?: string;
  uid?: number;
  engine?: Host['engine'];
  mode?: Host['mode'];
  profiles?: string[];
  compose?: Partial<ComposeSettings>;
  subuids?: Partial<SubIdRange>;
}

/**
 * Loads a whole berth repository: berth.yml, hosts.yml, every stacks/<name>/ folder, and each
 * stack's compose project as each of its hosts will run it. Every problem in every file is
 * collected; nothing throws for bad input.
 */
export function loadRepo(dirArg: string, source: FileSource): RepoLoad {
  const dir = resolve(dirArg);
  const diagnostics: Diagnostic[] = [];
  const berthFile = join(dir, 'berth.yml');
  const hostsFile = join(dir, 'hosts.yml');
  if (!source.exists(berthFile) && !source.exists(hostsFile)) {
    const above = enclosingRepo(dir, source);
    const hint = above ? `the repository is ${relative(dir, above)}: run berth there, or pass --repo ${relative(process.cwd(), above) || '.'}` : 'run "berth init" to create one, or pass --repo DIR';
    return {
      diagnostics: [error('REPO_NOT_FOUND', fileSpan(dir), `${dirArg} is not a berth repository: it has neither berth.yml nor hosts.yml`, hint)],
    };
  }

  const berth = source.exists(berthFile) ? readBerthFile<RawBerth>(berthFile, source, validator('berth'), 'berth.yml', diagnostics) : undefined;
  const config = berthConfig(berth?.value ?? {});
  if (berth) {
    checkNetworkRoots(berth.root, config, diagnostics);
    diagnostics.push(...scheduleChecks(berth.root));
  }

  const stacks: Record<string, Stack> = {};
  const stacksDir = join(dir, 'stacks');
  const folders = listDirs(stacksDir);
  for (const name of folders) {
    const stack = readStack(name, join(stacksDir, name), dir, source, validator('stack'), diagnostics);
    if (stack) stacks[name] = stack;
  }
  proxyStack(berth?.root, berthFile, config, folders, diagnostics);

  const hostsDoc = source.exists(hostsFile)
    ? readBerthFile<{ hosts?: Record<string, RawHost> }>(hostsFile, source, validator('hosts'), 'hosts.yml', diagnostics)
    : undefined;
  if (!source.exists(hostsFile)) {
    diagnostics.push(warning('FILE_NOT_FOUND', fileSpan(hostsFile), 'hosts.yml does not exist, so no host runs any stack', 'create hosts.yml: hosts: { myhost: { stacks: [...] } }'));
  }
  const hosts = hostsDoc ? readHosts(hostsDoc.root, hostsDoc.value.hosts ?? {}, config) : [];

  const deployments: Deployment[] = [];
  const loaded = new Set<string>();
  for (const host of hosts) {
    for (const ref of host.stacks) {
      const stack = stacks[ref.name];
      if (!stack) continue;
      loaded.add(stack.name);
      const d = deploy(host, hosts, stack, source, diagnostics);
      if (d) deployments.push(d);
    }
  }
  // Stacks no host runs are still checked, with berth.yml's roots.
  for (const stack of Object.values(stacks)) {
    if (loaded.has(stack.name)) continue;
    loadStackProject(stack, hostEnv(config), stack.manifest.profiles, source, diagnostics);
  }

  // Folders whose stack could not be read are reported already; hosts naming them are not "unknown".
  const repo: Repo = { dir, config, hosts, stacks, deployments, broken: folders.filter((f) => !stacks[f]) };
  diagnostics.push(...runChecks(repo, source));
  return { repo, diagnostics: dedupe(diagnostics) };
}

/** A berth repository in a parent folder, for the hint when berth runs inside one of its stacks. */
function enclosingRepo(dir: string, source: FileSource): string | undefined {
  for (let d = dirname(dir); d !== dirname(d); d = dirname(d)) {
    if (source.exists(join(d, 'berth.yml')) || source.exists(join(d, 'hosts.yml'))) return d;
  }
  return undefined;
}

function berthConfig(raw: RawBerth): BerthConfig {
  return {
    engine: raw.engine ?? 'podman',
    mode: raw.mode ?? 'quadlet',
    user: raw.user ?? 'homelab',
    ...(raw.uid !== undefined ? { uid: raw.uid } : {}),
    roots: raw.roots ?? {},
    networkRoots: raw.networkRoots ?? [],
    autoUpdate: { enabled: raw.autoUpdate?.enabled ?? true, schedule: raw.autoUpdate?.schedule ?? 'daily' },
    prune: { enabled: raw.prune?.enabled ?? true, schedule: raw.prune?.schedule ?? 'weekly', maxAge: raw.prune?.maxAge ?? '7d' },
    secrets: { recipients: raw.secrets?.recipients ?? [], ...(raw.secrets?.identity ? { identity: raw.secrets.identity } : {}) },
    audit: raw.audit ?? {},
    compose: { stop: raw.compose?.stop ?? 'stop', startTimeout: raw.compose?.startTimeout ?? 900 },
    subuids: { start: raw.subuids?.start ?? 100000, count: raw.subuids?.count ?? 65536 },
    proxy: { ...(raw.proxy?.stack !== undefined ? { stack: raw.proxy.stack } : {}), ...(raw.proxy?.email !== undefined ? { email: raw.proxy.email } : {}), loopback: raw.proxy?.loopback ?? '127.0.0.1' },
  };
}

function checkNetworkRoots(root: LNode, config: BerthConfig, diagnostics: Diagnostic[]): void {
  const list = get(root, 'networkRoots');
  config.networkRoots.forEach((name, i) => {
    if (config.roots[name] !== undefined) return;
    const span = list?.kind === 'seq' ? (list.items[i]?.span ?? list.span) : root.span;
    diagnostics.push(error('UNKNOWN_ROOT', span, `networkRoots names "${name}", which is not one of the roots`, `define it under roots (roots: { ${name}: /mnt/... }), or remove it`));
  });
}

/** The stack that runs the reverse proxy: as named in berth.yml, else the stack called "proxy", if any. */
function proxyStack(root: LNode | undefined, file: string, config: BerthConfig, folders: string[], diagnostics: Diagnostic[]): void {
  const named = config.proxy.stack;
  if (named === undefined) {
    if (folders.includes('proxy')) config.proxy.stack = 'proxy';
    return;
  }
  if (folders.includes(named)) return;
  const span = get(get(root, 'proxy'), 'stack')?.span ?? fileSpan(file);
  diagnostics.push(error('UNKNOWN_STACK', span, `proxy.stack names stack "${named}", which does not exist`, didYouMean(named, folders) ?? 'name the folder under stacks/ that runs the reverse proxy'));
}

function readHosts(root: LNode, raw: Record<string, RawHost>, config: BerthConfig): Host[] {
  const hostsNode = get(root, 'hosts');
  return Object.entries(raw).map(([name, h]) => {
    const hostEntry = entry(hostsNode, name);
    const stacksNode = get(hostEntry?.value, 'stacks');
    const user = h.user ?? config.user;
    const uid = h.uid ?? (h.user ? undefined : config.uid);
    return {
      name,
      span: hostEntry?.keySpan ?? root.span,
      address: h.address ?? 'local',
      stacks: h.stacks.map((s, i) => ({ name: s, span: stacksNode?.kind === 'seq' ? (stacksNode.items[i]?.span ?? stacksNode.span) : root.span })),
      roots: { ...config.roots, ...(h.roots ?? {}) },
      user,
      ...(uid !== undefined ? { uid } : {}),
      engine: h.engine ?? config.engine,
      mode: h.mode ?? config.mode,
      profiles: h.profiles ?? [],
      compose: { ...config.compose, ...h.compose },
      subuids: { ...config.subuids, ...h.subuids },
    };
  });
}

function deploy(host: Host, hosts: Host[], stack: Stack, source: FileSource, diagnostics: Diagnostic[]): Deployment | undefined {
  const env = hostEnv(host);
  // A root only some hosts define: say so, rather than "defined nowhere".
  const definedOn = (name: string) => hosts.filter((h) => h !== host && Object.hasOwn(h.roots, name)).map((h) => h.name);
  const project = loadStackProject(stack, env, [...host.profiles, ...stack.manifest.profiles], source, diagnostics, { host: host.name, definedOn });
  return project ? { host: host.name, stack: stack.name, project } : undefined;
}

function loadStackProject(stack: Stack, env: Record<string, string>, profiles: string[], source: FileSource, diagnostics: Diagnostic[], on?: { host: string; definedOn: (name: string) => string[] }) {
  const undefinedHere = (name: string, span: Span) => {
    const elsewhere = on?.definedOn(name) ?? [];
    return elsewhere.length && on
      ? error('VAR_UNDEFINED', span, `variable ${name} is not defined on host "${on.host}", which runs stack "${stack.name}"; only ${elsewhere.map((h) => `"${h}"`).join(', ')} define${elsewhere.length === 1 ? 's' : ''} it (roots in hosts.yml)`, `add ${name} to the roots of host "${on.host}" in hosts.yml, or run the stack only where it is defined`)
      : error('VAR_UNDEFINED', span, `variable ${name} is used but defined nowhere: not in berth.yml roots, the host's roots, the stack's .env or its secrets`, suggestVar(name, env));
  };
  // Declared secret variables are defined at run time; a placeholder lets interpolation see them.
  const secretVars = secretPlaceholders(stack.manifest.secrets);
  const opaqueSecrets = stack.manifest.secrets.filter((s) => s.vars === undefined).map((s) => s.name);
  const result = loadCompose(stack.composeFile, source, {
    env: { ...secretVars, ...env },
    profiles,
    projectName: stack.name,
    strictVariables: true,
    onUnset: (name, span) =>
      opaqueSecrets.length
        ? warning('VAR_UNDEFINED', span, `variable ${name} is not defined by any root, host variable or .env file; it may come from secret ${opaqueSecrets.join(', ')}`, didYouMean(name, Object.keys(env)) ?? `list the variables of ${opaqueSecrets.join(', ')} in stack.yml (secrets: [{name: ..., vars: [${name}]}]) so berth can check them`)
        : undefinedHere(name, span),
  });
  // In a repository every unset variable is already reported as VAR_UNDEFINED.
  diagnostics.push(...result.diagnostics.filter((d) => d.code !== 'VAR_UNSET'));
  return result.project;
}

function suggestVar(name: string, env: Record<string, string>): string {
  return didYouMean(name, Object.keys(env)) ?? `add it to roots in berth.yml (roots: { ${name}: ... }), or give a default: \${${name}:-value}`;
}

/** Stack folders: directories, and symlinks to directories (a stack shared between repositories). */
function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => !d.name.startsWith('.') && (d.isDirectory() || (d.isSymbolicLink() && isDir(join(dir, d.name)))))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}


function dedupe(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const k = `${d.code}|${d.span.file}|${d.span.line}|${d.span.col}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
