import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { SECRET_PLACEHOLDER } from '../config/secret-placeholder.js';
import type { Deployment, SecretRef, Stack } from '../model/repo.js';
import { parseDotenv } from '../source/dotenv.js';
import { commandFailed, runCommand } from './command.js';
import { RunError } from './errors.js';
import { atInterrupt } from './interrupt.js';

/** The secrets (names) a set of values reads. */
export function secretsRead(values: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const v of values) for (const m of v.matchAll(SECRET_PLACEHOLDER)) names.add(m[1]!);
  return names;
}

/** Decrypted secrets: secret name → variable → value. Held in memory only. */
export type SecretValues = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** A value with its placeholders replaced by the decrypted values. */
export function substituteSecrets(template: string, secrets: SecretValues): string {
  return template.replace(SECRET_PLACEHOLDER, (_m, name: string, variable: string) => {
    const value = secrets.get(name)?.get(variable);
    if (value === undefined) throw new RunError(`secret ${name} does not define ${variable}: add ${variable}=... to its dotenv file and encrypt it again`);
    return value;
  });
}

/**
 * Where a service's secret environment is written for the engine to read: the runtime dir (tmpfs,
 * the user's only), at the path the rendered units use too (layout.ts runtimeSecretsDir).
 */
export function secretEnvPath(runtimeDir: string, stack: string, service: string): string {
  return `${runtimeDir}/berth/secrets/${stack}/services/${service}.env`;
}

/**
 * The text of that env file. The values never reach the engine's arguments or a message. The
 * engine's env-file format has no quoting, so a value cannot span lines.
 */
export function secretEnvText(entries: Readonly<Record<string, string>>, secrets: SecretValues): string {
  return Object.entries(entries)
    .map(([key, template]) => {
      const value = substituteSecrets(template, secrets);
      if (/[\r\n]/.test(value)) throw new RunError(`environment ${key} would hold a secret that spans lines; the engine's env file cannot carry it`);
      return `${key}=${value}\n`;
    })
    .join('');
}

/** The age identity: berth.yml secrets.identity (relative to the repository, or ~/...), else ~/.config/berth/age.key. */
export function identityFile(configured: string | undefined, repoDir: string, home = homedir()): string {
  if (!configured) return `${home}/.config/berth/age.key`;
  if (configured.startsWith('~/')) return `${home}/${configured.slice(2)}`;
  return isAbsolute(configured) ? configured : resolve(repoDir, configured);
}

/**
 * Decrypts the named secrets with the age CLI, the same program the rendered units use on a host,
 * reading its output into memory. Nothing is written: the plain text lives in this process only.
 */
export async function decryptSecrets(refs: readonly SecretRef[], identity: string, ageBinary = 'age'): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  if (refs.length === 0) return out;
  if (!existsSync(identity)) throw new RunError(`the age identity ${identity} does not exist: put the private key the secrets are encrypted to there (age-keygen -o ${identity}), or set secrets.identity in berth.yml`);
  for (const ref of refs) {
    if (!existsSync(ref.file)) throw new RunError(`secret ${ref.name}: ${ref.file} does not exist; encrypt the stack's dotenv file to it (age -R recipients -o ${ref.file} FILE)`);
    const args = ['--decrypt', '--identity', identity, ref.file];
    const r = await runCommand(ageBinary, args);
    if (r.code !== 0) throw commandFailed(ageBinary, args, `could not decrypt secret ${ref.name}`, r);
    const parsed = parseDotenv(r.stdout, ref.file);
    if (parsed.diagnostics.length) throw new RunError(`secret ${ref.name} is not a dotenv file once decrypted (line ${parsed.diagnostics[0]!.span.line}); its values are not shown`);
    out.set(ref.name, parsed.vars);
  }
  return out;
}

/** The ciphertext of each secret file, for the config hash: a changed secret recreates its services, and nothing about its values leaks. */
export function secretCiphertexts(refs: readonly SecretRef[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ref of refs) {
    try {
      out[ref.file] = readFileSync(ref.file).toString('base64');
    } catch {
      // a missing file is reported when it is decrypted
    }
  }
  return out;
}

/** Runs `fn` with the env file written (0600, in a 0700 dir) and removes the file afterwards, whatever happens. */
export async function withSecretEnvFile<T>(file: string, text: string, fn: () => Promise<T>): Promise<T> {
  const remove = () => rmSync(file, { force: true });
  const unregister = atInterrupt(remove);
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, text, { mode: 0o600 });
  } catch (e) {
    unregister();
    throw new RunError(`could not write the secret env file ${file}: ${(e as Error).message}`);
  }
  try {
    return await fn();
  } finally {
    remove();
    unregister();
  }
}

/**
 * A secret declared without `vars:` cannot be run: interpolation never saw its variables, so what
 * the compose file reads from it is empty. The same refusal as the renderer's (stack-common.ts).
 */
export function opaqueSecretProblem(stack: Stack, deployment: Deployment): string | undefined {
  const unresolved = [...deployment.project.unresolved.keys()];
  const opaque = stack.manifest.secrets.filter((s) => s.vars === undefined);
  if (opaque.length === 0 || unresolved.length === 0) return undefined;
  const names = opaque.map((s) => s.name);
  return `secret ${names.join(', ')} lists no vars, so ${unresolved.join(', ')} would be empty in the containers: list them in stack.yml (secrets: [{name: ${names[0]}, vars: [${unresolved.join(', ')}]}])`;
}

/** Text berth prints with every decrypted value replaced by ***: container output can echo a secret. */
export function maskSecrets(text: string, secrets: SecretValues): string {
  const values = [...secrets.values()].flatMap((m) => [...m.values()]).filter((v) => v.length >= 3).sort((a, b) => b.length - a.length);
  let out = text;
  for (const v of values) out = out.split(v).join('***');
  // Messages quote output as JSON, which escapes some characters of a value.
  for (const v of values) out = out.split(JSON.stringify(v).slice(1, -1)).join('***');
  return out;
}
