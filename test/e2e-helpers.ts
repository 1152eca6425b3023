import { spawnSync } from 'node:child_process';
import { chownSync, rmSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, chmodSync, symlinkSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { ROOT } from './helpers.js';

/**
 * Running berth and Podman as the rootless test user (.ci/testbed's berthtest): directly when the
 * tests already run as that user, through runuser when they run as root (CI), and not at all
 * otherwise (the e2e tests then skip with a notice).
 */
export interface RootlessUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  runtimeDir: string;
  /** First id of the user's subuid range: container uid N (N ≥ 1) is this + N − 1 on the host. */
  subuidStart: number;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const USER = process.env.BERTH_TEST_USER ?? 'berthtest';
/** The berth to run: the built one, or another build named by BERTH_E2E_BIN (an installed berth, say). */
const BIN = process.env.BERTH_E2E_BIN ?? join(ROOT, 'bin', 'berth.js');

/** The rootless test user, or why e2e tests cannot run here. */
export function rootlessUser(): RootlessUser | string {
  if (spawnSync('podman', ['--version']).status !== 0) return 'podman is not installed (.ci/testbed installs it)';
  if (spawnSync('age-keygen', ['--version']).status !== 0) return 'age is not installed (.ci/testbed installs it): the fixture\'s secret cannot be encrypted';
  const id = spawnSync('id', ['-u', USER], { encoding: 'utf8' });
  if (id.status !== 0) return `the rootless test user ${USER} does not exist (.ci/testbed creates it)`;
  const uid = Number(id.stdout.trim());
  const gid = Number(spawnSync('id', ['-g', USER], { encoding: 'utf8' }).stdout.trim());
  const me = process.getuid?.();
  if (me !== 0 && me !== uid) return `the tests run as uid ${me}, neither root nor ${USER}`;
  const line = readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith(`${USER}:`));
  if (!line) return `${USER} has no /etc/subuid range`;
  const home = spawnSync('sh', ['-c', `getent passwd ${USER} | cut -d: -f6`], { encoding: 'utf8' }).stdout.trim() || `/home/${USER}`;
  const runtimeDir = `/run/user/${uid}`;
  if (!existsSync(runtimeDir)) return `${runtimeDir} does not exist (.ci/testbed creates it)`;
  if (!process.env.BERTH_E2E_BIN && !existsSync(join(ROOT, 'dist', 'main.js'))) return 'dist/ is missing: run "npm run build" first';
  return { name: USER, uid, gid, home, runtimeDir, subuidStart: Number(line.split(':')[1]) };
}

/** Runs a program as the test user, with its runtime dir and home, from `cwd`. */
export function asUser(user: RootlessUser, program: string, args: readonly string[], opts: { cwd?: string; input?: string } = {}): Run {
  const env = [`XDG_RUNTIME_DIR=${user.runtimeDir}`, `HOME=${user.home}`, `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`, 'NO_COLOR=1', `USER=${user.name}`, 'LANG=C.UTF-8'];
  const direct = process.getuid?.() === user.uid;
  const r = direct
    ? spawnSync('env', ['-i', ...env, program, ...args], { cwd: opts.cwd ?? '/tmp', encoding: 'utf8', input: opts.input ?? '' })
    : spawnSync('runuser', ['-u', user.name, '--', 'env', '-i', ...env, program, ...args], { cwd: opts.cwd ?? '/tmp', encoding: 'utf8', input: opts.input ?? '' });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

let runnable: string | undefined;

/**
 * The berth the test user runs: the build itself when that user can read it, else a copy of the
 * bundle (dist/ is self-contained) in /tmp, for a checkout under a home only root may enter.
 */
function berthBin(user: RootlessUser): string {
  if (runnable) return runnable;
  if (asUser(user, 'test', ['-r', BIN]).code === 0 && asUser(user, 'test', ['-r', join(dirname(BIN), '..', 'dist', 'main.js')]).code === 0) return (runnable = BIN);
  const copy = mkdtempSync('/tmp/berth-e2e-bin-');
  cpSync(join(dirname(BIN), '..', 'dist'), join(copy, 'dist'), { recursive: true });
  mkdirSync(join(copy, 'bin'));
  cpSync(BIN, join(copy, 'bin', 'berth.js'));
  chownTree(copy, user.uid, user.gid);
  process.on('exit', () => rmSync(copy, { recursive: true, force: true }));
  return (runnable = join(copy, 'bin', 'berth.js'));
}

export function berthAs(user: RootlessUser, args: readonly string[], cwd: string): Run {
  return asUser(user, process.execPath, [berthBin(user), ...args], { cwd });
}

export function podmanAs(user: RootlessUser, args: readonly string[]): Run {
  return asUser(user, 'podman', args);
}

/** `podman inspect` of one container as parsed JSON, or undefined when it does not exist. */
export function inspect(user: RootlessUser, name: string): InspectedContainer | undefined {
  const r = podmanAs(user, ['container', 'inspect', name]);
  return r.code === 0 ? (JSON.parse(r.stdout) as InspectedContainer[])[0] : undefined;
}

export interface InspectedContainer {
  Id: string;
  State: {
    Status: string;
    Running: boolean;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
    Health?: { Status: string; Log: { Start: string; End: string; ExitCode: number; Output: string }[] | null };
  };
  Config: { Env: string[]; Labels: Record<string, string> };
}

/** Bumped when the image's contents change, so an older image of the same name is not reused. */
const IMAGE_VERSION = 'localhost/busybox:berth-e2e-1';

/**
 * localhost/busybox:latest for the test user, made from busybox-static as TESTBED.md describes;
 * reused when this version of it exists.
 */
export function ensureBusyboxImage(user: RootlessUser): void {
  if (podmanAs(user, ['image', 'exists', IMAGE_VERSION]).code === 0) {
    podmanAs(user, ['tag', IMAGE_VERSION, 'localhost/busybox:latest']);
    return;
  }
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  if (!busybox) throw new Error('busybox is not installed (.ci/testbed installs busybox-static)');
  const dir = mkdtempSync('/tmp/berth-e2e-rootfs-');
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'tmp', 'www', 'etc', 'data', 'cache']) mkdirSync(join(rootfs, d), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  cpSync(busybox, join(rootfs, 'bin', 'busybox'));
  for (const tool of ['sh', 'httpd', 'wget', 'nc', 'sleep', 'cat', 'echo', 'ls', 'touch', 'test', 'date', 'rm', 'printenv', 'true', 'false', 'id', 'mkdir', '[']) {
    symlinkSync('busybox', join(rootfs, 'bin', tool));
  }
  writeFileSync(join(rootfs, 'www', 'index.html'), 'hello from berth e2e\n');
  writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\ndb:x:999:999:db:/data:/bin/sh\n');
  writeFileSync(join(rootfs, 'etc', 'group'), 'root:x:0:\ndb:x:999:\n');
  chownTree(dir, user.uid, user.gid);
  const tar = asUser(user, 'sh', ['-c', `tar -C '${rootfs}' -c . | podman import - ${IMAGE_VERSION}`]);
  rmSync(dir, { recursive: true, force: true });
  if (tar.code !== 0) throw new Error(`could not import the busybox image: ${tar.stderr}`);
  podmanAs(user, ['tag', IMAGE_VERSION, 'localhost/busybox:latest']);
}

export function chownTree(path: string, uid: number, gid: number): void {
  if (process.getuid?.() !== 0) return;
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid, gid);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
