import { createHash } from 'node:crypto';
import { secretEnvPath } from '../run/secrets.js';
import { hasSecretPlaceholder, SECRET_PLACEHOLDER } from '../config/secret-placeholder.js';
import { isInside } from '../util/fs.js';
import { relative, sep } from 'node:path';
import { interpolate } from '../compose/interpolate.js';
import { hostEnv } from '../config/variables.js';
import type { Deployment, DirSpec, Host, Repo, Stack } from '../model/repo.js';
import { artifact, type Artifact, type FidelityNote } from './artifact.js';
import type { StackCommon } from './context.js';
import { rel, stackDir, stackUnitBase, type HostLayout } from './layout.js';
import { execLine, pathUnitName, shQuote, unitFile, unitPath, type Entry } from './unit-file.js';
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
  // Compose file secrets are secrets in clear: never shipped (the Quadlet renderer refuses them).
  const plainSecrets = new Set(Object.values(input.deployment.project.secrets).map((s) => s.config.file).filter((f): f is string => typeof f === 'string'));
  const artifacts: Artifact[] = [];
  for (const [file, bytes] of [...input.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (isInside(stack.dir, file) && !plainSecrets.has(file)) artifacts.push(artifact(rel(hostPath(file)), bytes, scripts.has(file) ? 0o755 : 0o644));
  }

  const secretEnv = secretEnvFiles(input);
  const preStart: string[][] = [];
  const unresolved = [...input.deployment.project.unresolved.keys()];
  for (const s of stack.manifest.secrets) {
    if (s.vars === undefined && unresolved.length) {
      note('secrets', 'refused', `secret ${s.name} lists no vars, so ${unresolved.join(', ')} would be empty in the containers: list them in stack.yml (secrets: [{name: ${s.name}, vars: [${unresolved.join(', ')}]}])`);
    }
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
            // PartOf: restarting the stack prepares it again (new secrets, new dirs) instead of keeping the first run.
            { name: 'Unit', entries: [['Description', `Prepare stack ${stack.name}: secrets, directories, pre-start steps`], ...common.unitEntries, ['PartOf', `${stackUnitBase(stack.name)}.target`]] },
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
  for (const mount of stack.manifest.mounts.required) entries.push(['RequiresMountsFor', unitPath(mount)]);
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
      if (value === null || !hasSecretPlaceholder(value)) continue;
      const parts: SecretLine['parts'] = [];
      let last = 0;
      for (const m of value.matchAll(SECRET_PLACEHOLDER)) {
        if (m.index > last) parts.push({ text: value.slice(last, m.index) });
        parts.push({ secret: m[1]!, variable: m[2]! });
        last = m.index + m[0].length;
      }
      if (last < value.length) parts.push({ text: value.slice(last) });
      lines.push({ key, parts });
    }
    if (lines.length) out[name] = { file: secretEnvPath(layout.runtimeDir, stack.name, name), lines };
  }
  return out;
}

/**
 * A dotenv reader in POSIX awk with exactly the rules of berth's own (src/source/dotenv.ts) and
 * compose's: `export`, comments, single quotes literal, double quotes with \n \t \r \\ \" escapes,
 * an unquoted value's trailing ` # comment` dropped. `dotenv FILE NAME` prints NAME's value;
 * `dotenv FILE '*'` prints every variable as a raw NAME=value line (read back by berth-with-secrets). Messages never
 * include a value. A value with a line break is refused: an env file cannot carry it.
 */
export const DOTENV_FUNCTION = String.raw`dotenv() {
  awk -v want="$2" '
    function unquote(v,   q, out, i, c) {
      q = substr(v, 1, 1)
      if (q == "\047") { v = substr(v, 2); i = index(v, "\047"); return i ? substr(v, 1, i - 1) : v }
      if (q == "\"") {
        out = ""
        for (i = 2; i <= length(v); i++) {
          c = substr(v, i, 1)
          if (c == "\"") break
          if (c == "\\" && i < length(v)) { i++; c = substr(v, i, 1); c = c == "n" ? "\n" : c == "t" ? "\t" : c == "r" ? "\r" : c }
          out = out c
        }
        return out
      }
      sub(/[ \t]+#.*$/, "", v); sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
      return v
    }
    function fail(message) { print FILENAME ": " message > "/dev/stderr"; failed = 1; exit 3 }
    {
      sub(/\r$/, ""); line = $0
      sub(/^[ \t]*export[ \t]+/, "", line); sub(/^[ \t]+/, "", line); sub(/[ \t]+$/, "", line)
      if (line == "" || substr(line, 1, 1) == "#") next
      if (!match(line, /^[A-Za-z_][A-Za-z0-9_.-]*/)) fail("line " NR " is not KEY=VALUE")
      key = substr(line, 1, RLENGTH); rest = substr(line, RLENGTH + 1); sub(/^[ \t]+/, "", rest)
      if (rest == "") next
      if (substr(rest, 1, 1) != "=") fail("line " NR " is not KEY=VALUE")
      rest = substr(rest, 2); sub(/^[ \t]+/, "", rest)
      if (!(key in val)) order[++n] = key
      val[key] = unquote(rest)
    }
    END {
      if (failed) exit 3
      if (want == "*") {
        for (i = 1; i <= n; i++) {
          v = val[order[i]]
          if (v ~ /[\n\r]/) fail(order[i] " holds a line break, which an env file cannot carry")
          printf "%s=%s\n", order[i], v
        }
        exit 0
      }
      if (!(want in val)) fail("does not define " want)
      if (val[want] ~ /[\n\r]/) fail(want " holds a line break, which an env file cannot carry")
      printf "%s", val[want]
    }' "$1"
}`;

/**
 * The script that decrypts the stack's secrets into the runtime dir (tmpfs, mode 0700) and writes
 * each service's env file from them. The decrypted dotenv is read by `dotenv` above, never
 * sourced or evaluated, so a '$' or a quote in a secret stays what it is; a missing variable
 * stops the stack instead of starting it with an empty password.
 */
function secretsScript({ stack, layout, host }: StackInput, env: Record<string, { file: string; lines: SecretLine[] }>) {
  if (stack.manifest.secrets.length === 0) return undefined;
  const dir = `${layout.runtimeSecretsDir}/${stack.name}`;
  const lines = ['#!/bin/sh', `# Decrypts the secrets of stack ${stack.name} into ${dir}, readable by this user only.`, '# Rendered by berth; do not edit.', 'set -eu', 'umask 077', `dir=${shQuote(dir)}`, 'mkdir -p "$dir/services"', `trap 'rm -f "$dir"/.*.dotenv "$dir"/.*.tmp' EXIT`, '', DOTENV_FUNCTION, ''];
  for (const { name } of stack.manifest.secrets) {
    lines.push(`${AGE} --decrypt --identity ${shQuote(layout.identityFile)} --output "$dir/.${name}.dotenv" ${shQuote(`${layout.secretsDir}/${name}.env.age`)}`);
    // Compose mode hands the whole file to podman-compose (berth-with-secrets), normalised to raw
    // NAME=value lines; Quadlet containers get only their own env files, below.
    if (host.mode === 'compose') lines.push(`dotenv "$dir/.${name}.dotenv" '*' > "$dir/.${name}.env.tmp"`, `mv "$dir/.${name}.env.tmp" "$dir/${name}.env"`);
  }
  // Every value first, each in its own assignment: a failing $(...) inside printf's arguments would not stop the script.
  const vars = new Map<string, string>();
  for (const { lines: entries } of Object.values(env)) {
    for (const e of entries) for (const p of e.parts) if ('secret' in p) vars.set(`${p.secret}\0${p.variable}`, `v${vars.size}`);
  }
  if (vars.size) lines.push('');
  for (const [ref, shellVar] of vars) {
    const [secret, variable] = ref.split('\0') as [string, string];
    lines.push(`${shellVar}=$(dotenv "$dir/.${secret}.dotenv" ${variable})`);
  }
  for (const [service, { file, lines: entries }] of Object.entries(env)) {
    lines.push('', `# ${service}`, `{`);
    for (const e of entries) {
      const args = e.parts.map((p) => ('text' in p ? shQuote(p.text) : `"$${vars.get(`${p.secret}\0${p.variable}`)}"`));
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
    const mode = dir.mode?.padStart(4, '0');
    const owner = containerOwner(dir);
    if (networkRoots.some((root) => isInside(root, path))) {
      if (mode) lines.push(`chmod ${mode} ${shQuote(path)}`);
      if (dir.owner !== 'user') note('dirs', 'approximated', `${path} is inside a network root: created, never chowned (NFS cannot remap owners); the export must be writable by uid ${layout.uid}`);
    } else if (owner) {
      // Inside the user namespace: once the directory belongs to a subordinate uid, only the
      // namespace's root may chmod it, so a plain chmod would fail on every start after the first.
      lines.push(`${PODMAN} unshare chown ${owner} ${shQuote(path)}`);
      if (mode) lines.push(`${PODMAN} unshare chmod ${mode} ${shQuote(path)}`);
    } else {
      note('dirs', 'approximated', `${path}: owner ${dir.owner} is a host uid; a rootless user cannot chown to it, so prerequisites.sh (run as root) must`);
    }
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


function toPosix(p: string): string {
  return p.split(sep).join('/');
}
