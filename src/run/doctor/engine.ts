import { request } from 'node:http';
import { existsSync } from 'node:fs';
import { fail, pass, warn, type CheckResult, type MachineFacts } from './check.js';

/** The engine is installed and says its version; berth's Quadlet files need Podman 5.0 or newer (Notify=healthy, Network=X.container). */
export async function engineVersion(facts: MachineFacts): Promise<CheckResult[]> {
  const { engine } = facts;
  let r;
  try {
    r = await engine.run(['version', '--format', '{{.Client.Version}}']);
  } catch {
    return [fail('engine', `${engine.binary} is not installed (or not in PATH)`, engine.kind === 'podman' ? 'apt-get install podman uidmap slirp4netns (Debian/Ubuntu), dnf install podman (Fedora)' : 'install Docker Engine')];
  }
  if (r.code !== 0) return [fail('engine', `${engine.binary} version failed: ${(r.stderr.trim().split('\n').pop() ?? '').slice(0, 200)}`, `run "${engine.binary} info" to see why`)];
  const version = r.stdout.trim();
  if (engine.kind === 'podman' && olderThan(version, [5, 0])) {
    return [warn('engine', `podman ${version}: runs stacks with berth up and in compose mode, but not berth's Quadlet files (Podman 5.0 or newer)`, 'upgrade Podman for mode: quadlet, or use mode: compose in berth.yml')];
  }
  return [pass('engine', `${engine.binary} ${version}`)];
}

function olderThan(version: string, [major, minor]: [number, number]): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  return Number(m[1]) < major || (Number(m[1]) === major && Number(m[2]) < minor);
}

/** The API socket answers `_ping` (what Dozzle, Watchtower and the like talk to); seed 004's first troubleshooting step. */
export async function apiSocket(facts: MachineFacts): Promise<CheckResult[]> {
  const fix = facts.engine.kind !== 'podman' ? 'systemctl enable --now docker.socket' : facts.uid === 0 ? 'systemctl enable --now podman.socket' : 'systemctl --user enable --now podman.socket (or, without systemd: podman system service --time=0 &)';
  if (!existsSync(facts.socket)) return [warn('api socket', `${facts.socket} does not exist: containers that use the engine's API cannot reach it`, fix)];
  const answer = await ping(facts.socket);
  if (answer === 'OK') return [pass('api socket', `${facts.socket} answers _ping`)];
  return [fail('api socket', `${facts.socket} does not answer _ping (${answer})`, fix)];
}

function ping(socketPath: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(res.statusCode === 200 ? body.trim() : `HTTP ${res.statusCode}`));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve('no answer within 3 s');
    });
    req.on('error', (e) => resolve(e.message));
    req.end();
  });
}

/** age decrypts the stacks' secrets when berth runs them: without it `up` stops at the first secret. */
export function ageTool(facts: MachineFacts, needed: boolean): CheckResult[] {
  const found = facts.searchPath.map((d) => `${d}/age`).find((p) => existsSync(p));
  if (found) return [pass('age', `${found} decrypts the stacks' secrets`)];
  const message = needed ? 'age is not installed, and stacks here have secrets: up cannot decrypt them' : 'age is not installed (needed once a stack has secrets)';
  return [(needed ? fail : warn)('age', message, 'apt-get install age (Debian/Ubuntu), dnf install age (Fedora)')];
}
