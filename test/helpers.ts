import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = resolve(ROOT, '..', 'shared');
export const CORPUS = join(SHARED, 'corpus');
const BIN = join(ROOT, 'bin', 'berth.js');

/** Writes files (path → content) into a new temporary folder and returns it. */
export function tempTree(files: Record<string, string | Buffer>, prefix = 'berth-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}

export function removeTree(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built berth executable as a user would, with colour off unless the test asks for it. */
export function berth(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('dist/ is missing: run "npm run build" first (npm test does)');
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...opts.env },
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Skips with a printed notice where ../shared is absent (a newcomer's clone); CI always has it. */
export function sharedOrSkip(t: { skip(msg: string): void }): boolean {
  if (existsSync(CORPUS)) return true;
  skipWithNotice(t, `../shared is absent (${SHARED}); skipping tests that need the shared corpus`);
  return false;
}

/** Whether a program is on the PATH. */
export function has(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
}

/** Skips a test and prints why, so a skipped test is never silent. */
export function skipWithNotice(t: { skip(msg: string): void }, msg: string): void {
  console.log(`# notice: ${msg}`);
  t.skip(msg);
}

/** True when every program is installed; otherwise skips with a notice naming the missing ones. */
export function toolsOrSkip(t: { skip(msg: string): void }, ...programs: string[]): boolean {
  const missing = programs.filter((p) => !has(p));
  if (missing.length) skipWithNotice(t, `${missing.join(', ')} not installed (.ci/testbed installs them); skipping`);
  return missing.length === 0;
}

/** A minimal valid repository to break in one way per test. */
export function baseRepo(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'berth.yml': 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\n',
    'hosts.yml': 'hosts:\n  doc1:\n    stacks: [web, db]\n',
    'stacks/web/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    ports: ["8080:80"]\n    volumes: ["${DATA_ROOT}/web:/data"]\n',
    'stacks/db/compose.yml': 'services:\n  db:\n    image: docker.io/library/postgres:16\n    volumes: ["${DATA_ROOT}/db:/var/lib/postgresql/data:U"]\n',
    ...extra,
  };
}
