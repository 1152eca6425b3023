import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';
import { interpolate } from '../compose/interpolate.js';
import { hostEnv } from '../config/variables.js';
import type { Deployment, DirSpec, Host, Repo, Stack } from '../model/repo.js';
import { artifact, type Artifact, type FidelityNote } from './artifact.js';
import type { StackCommon } from './context.js';
import { rel, stackDir, stackUnitBase, type HostLayout } from './layout.js';
import { execLine, pathUnitName, shQuote, unitFile, type Entry } from './unit-file.js';
import shellQuote from 'shell-quote';

export interface StackInput {
  repo: Repo;
  host: Host;
  stack: Stack;
  deployment: Deployment;
  layout: HostLayout;
  /** The stack folder's files and its encrypted secrets (absolute repo path → bytes). */
  files: ReadonlyMap<string, Uint8Array>;
  /** Rendered files the stack mounts (the proxy's Caddyfile): a change to them must restart it too. */
  renderedInputs?: readonly { path: string; content: string | Uint8Array }[];
}

const AGE = '/usr/bin/age';
const PODMAN = '/usr/bin/podman';
/** What the loader put where a declared secret variable was interpolated (see load-repo.ts). */
const PLACEHOLDER = /<secret ([a-z0-9][a-z0-9_.-]*)\.([A-Za-z_][A-Za-z0-9_]*)>/g;

/**
 * The parts of a stack both render modes share: ordering, preparation before start (secrets,
 * directories, the user's own steps, in that order: a step may need a secret or a directory),
 * the stack folder shipped to the host, and the digest that tells when the stack must restart.
 */
export function stackCommon(input: StackInput): StackCommon {
  const { stack, host, layout } = input;
  const notes: FidelityNote[] = [];
  const note = (key: string, fidelity: FidelityNote['fidelity'], message: string) => notes.push({ stack: stack.name, key, fidelity, message });
  const deployed = stackDir(layout, stack.name);
  const hostPath = (p: string) => (isInside(stack.dir, p) ? `${deployed}/${toPosix(relative(stack.dir, p))}` : p);

  const scripts = new Set(stack.manifest.preStart.map((line) => splitCommand(line)?.[0]).filter((p) => p?.startsWith('./')).map((p) => `${stack.dir}/${p!.slice(2)}`));
  const artifacts: Artifact[] = [];
  for (const [file, bytes] of [...input.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (isInside(stack.dir, file)) artifacts.push(artifact(rel(hostPath(file)), bytes, scripts.has(file) ? 0o755 : 0o644));
  }

  const secretEnv = secretEnvFiles(input);
  const preStart: string[][] = [];
  for (const s of stack.manifest.secrets) {
    const bytes = input.files.get(s.file);
    if (bytes) artifacts.push(artifact(rel(`${layout.secretsDir}/${s.name}.env.age`), bytes, 0o600));
    else note('secrets', 'refused', `secret ${s.name}: ${relative(input.repo.dir, s.file)} is missing, so the stack cannot start; encrypt its dotenv file to it`);
  }
  for (const script of [secretsScript(input, secretEnv), dirsScript(input, note)]) {
    if (!script) continue;
    artifacts.push(script);
    preStart.push([`/${script.path}`]);
  }
  for (const line of stack.manifest.preStart) {
    const argv = splitCommand(line);
    if (!argv) {
      note('preStart', 'refused', `"${line}" is not a plain command line (no shell operators or variables): put it in a script in the stack folder`);
      continue;
    }
    const program = argv[0]!.startsWith('./') ? `${deployed}/${argv[0]!.slice(2)}` : argv[0]!;
    preStart.push([program, ...argv.slice(1)]);
  }

  const common: StackCommon = {
    unitEntries: unitOrdering(input, note),
    preStart,
    hostPath,
    secretEnv: Object.fromEntries(Object.entries(secretEnv).map(([service, s]) => [service, { file: s.file, keys: s.lines.map((l) => l.key) }])),
    inputsHash: inputsHash(input),
    artifacts,
    notes,
  };
  if (preStart.length && host.mode === 'quadlet') {
    const unit = `${stackUnitBase(stack.name)}-prepare.service`;
    common.prepareUnit = unit;
    artifacts.push(
      artifact(
        rel(`${layout.userUnitDir}/${unit}`),
        unitFile(
          [
            { name: 'Unit', entries: [['Description', `Prepare stack ${stack.name}: secrets, directories, pre-start steps`], ...common.unitEntries] },
            {
              name: 'Service',
              entries: [['Type', 'oneshot'], ['RemainAfterExit', true], ...preStart.map((argv): Entry => ['ExecStart', execLine(argv)]), ['TimeoutStartSec', 300]],
            },
          ],
          renderedBy(stack.name),
        ),
      ),
    );
  }
  return common;
}

export function renderedBy(stack: string): string {
  return `Rendered by berth from stacks/${stack}. Do not edit: change the repository and render again.`;
}

/** [Unit] ordering of every unit of the stack. */
function unitOrdering({ stack, host, repo }: StackInput, note: (key: string, f: FidelityNote['fidelity'], m: string) => void): Entry[] {
  const entries: Entry[] = [];
  for (const mount of stack.manifest.mounts.required) entries.push(['RequiresMountsFor', mount]);
  // Seed 004 scenario 5: a slow or optional mount must not fail the stack at boot; its automount
  // mounts it on first access and retries.
  for (const mount of stack.manifest.mounts.optional) {
    const unit = pathUnitName(mount, 'automount');
    entries.push(['Wants', unit], ['After', unit]);
  }
  const suffix = host.mode === 'quadlet' ? 'target' : 'service';
  for (const { name } of stack.manifest.after) {
    if (name.includes('.')) {
      if (SYSTEM_ONLY.has(name)) {
        note('after', 'approximated', `${name} is a system unit: a user manager cannot order on it, so it is left out; Quadlet units wait for the network themselves (podman-user-wait-network-online.service)`);
        continue;
      }
      entries.push(['After', name]);
    } else if (host.stacks.some((s) => s.name === name)) {
      entries.push(['Wants', `${stackUnitBase(name)}.${suffix}`], ['After', `${stackUnitBase(name)}.${suffix}`]);
    } else {
      note('after', 'ignored', `stack ${name} does not run on ${host.name}${repo.stacks[name] ? '' : ' (no such stack)'}: nothing to order on`);
    }
  }
  return entries;
}

/** Targets of the system manager that a user manager does not have. */
const SYSTEM_ONLY = new Set(['network-online.target', 'network.target', 'multi-user.target', 'remote-fs.target', 'local-fs.target', 'nss-lookup.target', 'time-sync.target']);

interface SecretLine {
  key: string;
  /** Literal text and secret references, in order. */
  parts: ({ text: string } | { secret: string; variable: string })[];
}

/** Per service, the environment entries that read secrets: written at start into the runtime dir, never rendered. */
function secretEnvFiles({ deployment, stack, layout }: StackInput): Record<string, { file: string; lines: SecretLine[] }> {
  const out: Record<string, { file: string; lines: SecretLine[] }> = {};
  for (const [name, service] of Object.entries(deployment.project.services).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const lines: SecretLine[] = [];
    for (const [key, value] of Object.entries(service.config.environment)) {
      if (value === null || !value.includes('<secret ')) continue;
      const parts: SecretLine['parts'] = [];
      let last = 0;
      for (const m of value.matchAll(PLACEHOLDER)) {
        if (m.index > last) parts.push({ text: value.slice(last, m.index) });
        parts.push({ secret: m[1]!, variable: m[2]! });
        last = m.index + m[0].length;
      }
      if (last < value.length) parts.push({ text: value.slice(last) });
      lines.push({ key, parts });
    }
    if (lines.length) out[name] = { file: `${layout.runtimeSecretsDir}/${stack.name}/services/${name}.env`, lines };
  }
  return out;
}

/**
 * The script that decrypts the stack's secrets into the runtime dir (tmpfs, mode 0700) and writes
 * each service's env file from them. It reads the decrypted dotenv line by line and never sources
 * or evaluates it, so a '$' or a quote in a secret stays what it is.
 */
function secretsScript({ stack, layout }: StackInput, env: Record<string, { file: string; lines: SecretLine[] }>) {
  if (stack.manifest.secrets.length === 0) return undefined;
  const dir = `${layout.runtimeSecretsDir}/${stack.name}`;
  const lines = [
    '#!/bin/sh',
    `# Decrypts the secrets of stack ${stack.name} into ${dir}, readable by this user only.`,
    '# Rendered by berth; do not edit.',
    'set -eu',
    'umask 077',
    `dir=${shQuote(dir)}`,
    'mkdir -p "$dir/services"',
    '',
    '# value FILE NAME: the last NAME=... of a dotenv file, without surrounding quotes.',
    'value() {',
    '  v=$(sed -n "s/^[[:space:]]*\\(export[[:space:]]\\{1,\\}\\)\\{0,1\\}$2=//p" "$1" | tail -n 1)',
    '  case $v in',
    `    \\"*\\") v=\${v#\\"}; v=\${v%\\"} ;;`,
    `    \\'*\\') v=\${v#\\'}; v=\${v%\\'} ;;`,
    '  esac',
    '  printf %s "$v"',
    '}',
    '',
  ];
  for (const { name } of stack.manifest.secrets) {
    lines.push(
      `${AGE} --decrypt --identity ${shQuote(layout.identityFile)} --output "$dir/.${name}.env.tmp" ${shQuote(`${layout.secretsDir}/${name}.env.age`)}`,
      `mv "$dir/.${name}.env.tmp" "$dir/${name}.env"`,
    );
  }
  for (const [service, { file, lines: entries }] of Object.entries(env)) {
    lines.push('', `# ${service}`, `{`);
    for (const e of entries) {
      const args = e.parts.map((p) => ('text' in p ? shQuote(p.text) : `"$(value "$dir/${p.secret}.env" ${p.variable})"`));
      lines.push(`  printf '%s=${'%s'.repeat(args.length)}\\n' ${shQuote(e.key)} ${args.join(' ')}`);
    }
    lines.push(`} > ${shQuote(`${file}.tmp`)}`, `mv ${shQuote(`${file}.tmp`)} ${shQuote(file)}`);
  }
  return artifact(rel(`${layout.binDir}/berth-secrets-${stack.name}`), lines.join('\n') + '\n', 0o755);
}

/**
 * Directories the stack needs, created as the rootless user before start. A container uid is
 * mapped through the user's subuid range by `podman unshare chown` (seed 004, scenario 1); a
 * directory inside a network root is only created: NFS cannot remap owners.
 */
function dirsScript({ stack, host, repo, layout }: StackInput, note: (key: string, f: FidelityNote['fidelity'], m: string) => void): Artifact | undefined {
  if (stack.manifest.dirs.length === 0) return undefined;
  const env = hostEnv(host);
  const networkRoots = repo.config.networkRoots.map((r) => env[r]).filter((r): r is string => r !== undefined);
  const lines = ['#!/bin/sh', `# Prepares the directories of stack ${stack.name}. Rendered by berth; do not edit.`, 'set -eu', ''];
  for (const dir of stack.manifest.dirs) {
    const path = resolveDirPath(dir, env);
    if (path === undefined || !path.startsWith('/')) {
      note('dirs', 'refused', `${dir.path} does not resolve to an absolute path on ${host.name}`);
      continue;
    }
    lines.push(`mkdir -p ${shQuote(path)}`);
    if (dir.mode) lines.push(`chmod ${dir.mode.padStart(4, '0')} ${shQuote(path)}`);
    const inNetworkRoot = networkRoots.some((root) => isInside(root, path));
    const owner = containerOwner(dir);
    if (inNetworkRoot) {
      if (dir.owner !== 'user') note('dirs', 'approximated', `${path} is inside a network root: created, never chowned (NFS cannot remap owners); the export must be writable by uid ${layout.uid}`);
      continue;
    }
    if (owner) lines.push(`${PODMAN} unshare chown ${owner} ${shQuote(path)}`);
    else if (dir.owner !== 'user') note('dirs', 'approximated', `${path}: owner ${dir.owner} is a host uid; a rootless user cannot chown to it, so prerequisites.sh (run as root) must`);
  }
  return artifact(rel(`${layout.binDir}/berth-dirs-${stack.name}`), lines.join('\n') + '\n', 0o755);
}

/** `container:N[:G]` as `podman unshare chown` takes it; "user" is container root, the rootless user itself. */
function containerOwner(dir: DirSpec): string | undefined {
  if (dir.owner === 'user') return '0:0';
  const m = /^container:(\d+)(?::(\d+))?$/.exec(dir.owner);
  return m ? `${m[1]}:${m[2] ?? m[1]}` : undefined;
}

export function resolveDirPath(dir: DirSpec, env: Record<string, string>): string | undefined {
  const r = interpolate(dir.path, (name) => env[name]);
  return r.unresolved.length || r.syntax ? undefined : r.value;
}

/** Everything the stack's containers are made from, so a change to any of them restarts the stack. */
function inputsHash({ stack, host, repo, files, renderedInputs = [] }: StackInput): string {
  const h = createHash('sha256');
  for (const [file, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    h.update(toPosix(relative(repo.dir, file)) + '\0');
    h.update(bytes);
    h.update('\0');
  }
  for (const { path, content } of renderedInputs) h.update(`${path}\0`).update(content).update('\0');
  const { after, proxy, secrets, ...manifest } = stack.manifest;
  h.update(JSON.stringify({ manifest, after: after.map((a) => a.name), secrets: secrets.map((s) => [s.name, s.vars]), proxy: proxy.map((p) => [p.host, p.port]) }));
  h.update(JSON.stringify(Object.entries(hostEnv(host)).sort()));
  return h.digest('hex').slice(0, 16);
}

function splitCommand(line: string): string[] | undefined {
  const words = shellQuote.parse(line, (name) => `$${name}`);
  return words.every((w): w is string => typeof w === 'string' && !w.includes('$')) && words.length ? words : undefined;
}

function isInside(dir: string, path: string): boolean {
  const r = relative(dir, path);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && r !== '..');
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}
