import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { runDoctor, type MachineFacts } from '../src/run/doctor/index.js';
import { ageTool, apiSocket, engineVersion } from '../src/run/doctor/engine.js';
import { loadRepo } from '../src/config/load-repo.js';
import { FileSource } from '../src/source/files.js';
import { targetsFor } from '../src/run/session.js';
import { idMappers, linger, parseSubids, runtimeDir, subordinateIds, tunDevice } from '../src/run/doctor/user-namespace.js';
import { LocalEngine } from '../src/run/engine.js';
import { baseRepo, removeTree, tempTree } from './helpers.js';

/**
 * doctor on machine states written as real files: a subuid file without the user, a runtime dir
 * that another user owns, a socket that answers or not. The user is a real one of this machine
 * (nobody), so ownership is the kernel's, not a stand-in.
 */
const dirs: string[] = [];
after(() => dirs.forEach(removeTree));

function nobody(): { user: string; uid: number } {
  const r = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' });
  return { user: 'nobody', uid: r.status === 0 ? Number(r.stdout.trim()) : 65534 };
}

function facts(dir: string, over: Partial<MachineFacts> = {}): MachineFacts {
  return {
    ...nobody(),
    subuidFile: join(dir, 'subuid'),
    subgidFile: join(dir, 'subgid'),
    runtimeDir: join(dir, 'run-user'),
    lingerDir: join(dir, 'linger'),
    mountinfoFile: '/proc/self/mountinfo',
    tunDevice: '/dev/net/tun',
    searchPath: [join(dir, 'bin')],
    socket: join(dir, 'podman.sock'),
    engine: new LocalEngine('podman', join(dir, 'bin', 'no-such-podman')),
    systemd: false,
    home: join(dir, 'home'),
    ...over,
  };
}

describe('doctor on a machine with a missing subuid range and an unowned runtime dir', () => {
  it('names both, each with its fix', async () => {
    const me = userInfo();
    if (me.uid === nobody().uid) return;
    const dir = tempTree({ subuid: 'someoneelse:100000:65536\n', subgid: 'nobody:165536:65536\n' });
    dirs.push(dir);
    mkdirSync(join(dir, 'run-user'), { mode: 0o700 });
    const results = await runDoctor(facts(dir));
    const subuid = results.find((r) => r.check === 'subuid')!;
    assert.equal(subuid.verdict, 'fail');
    assert.match(subuid.message, /has no range for nobody/);
    assert.match(subuid.fix!, /^usermod --add-subuids 196608-262143 nobody/);
    assert.equal(results.find((r) => r.check === 'subgid')!.verdict, 'pass');
    const rt = results.find((r) => r.check === 'runtime dir')!;
    assert.equal(rt.verdict, 'fail');
    assert.match(rt.message, new RegExp(`owned by uid ${me.uid}, not nobody`));
    assert.equal(rt.fix, `chown nobody: ${join(dir, 'run-user')} && chmod 0700 ${join(dir, 'run-user')}`);
    // The engine named by the facts is missing: a failed check, not a crash.
    assert.equal(results.find((r) => r.check === 'engine')!.verdict, 'fail');
  });
});

describe('subordinate ids', () => {
  it('reads ranges by name or uid and skips comments and junk', () => {
    assert.deepEqual(parseSubids('# c\nalice:100000:65536\n1001:200000:1000\nbroken\n'), [
      { owner: 'alice', start: 100000, count: 65536 },
      { owner: '1001', start: 200000, count: 1000 },
    ]);
  });

  it('fails an overlap with another user and warns on a small range', () => {
    const dir = tempTree({ subuid: 'nobody:100000:65536\nbob:150000:65536\n', subgid: `${nobody().uid}:300000:1000\n` });
    dirs.push(dir);
    const [uid, gid] = subordinateIds(facts(dir));
    assert.equal(uid!.verdict, 'fail');
    assert.match(uid!.message, /overlaps bob \(150000:65536\)/);
    assert.equal(gid!.verdict, 'warn');
    assert.match(gid!.message, /has 1000 ids/);
  });
});

describe('runtime dir, linger, tun, id mappers', () => {
  it('passes a runtime dir the user owns with mode 0700, and warns when others can read it', () => {
    const me = userInfo();
    const dir = tempTree({});
    dirs.push(dir);
    mkdirSync(join(dir, 'run-user'), { mode: 0o700 });
    const mine = facts(dir, { user: me.username, uid: me.uid });
    assert.equal(runtimeDir(mine)[0]!.verdict, 'pass');
    chmodSync(join(dir, 'run-user'), 0o755);
    assert.equal(runtimeDir(mine)[0]!.verdict, 'warn');
    assert.equal(runtimeDir(facts(join(dir, 'missing')))[0]!.verdict, 'fail');
  });

  it('finds linger by its file', () => {
    const dir = tempTree({ 'linger/nobody': '' });
    dirs.push(dir);
    assert.equal(linger(facts(dir))[0]!.verdict, 'pass');
    assert.equal(linger(facts(dir, { user: 'someoneelse' }))[0]!.verdict, 'warn');
  });

  it('wants a character device for tun', () => {
    const dir = tempTree({ tun: '' });
    dirs.push(dir);
    assert.match(tunDevice(facts(dir, { tunDevice: join(dir, 'tun') }))[0]!.message, /not a character device/);
    assert.equal(tunDevice(facts(dir, { tunDevice: join(dir, 'nope') }))[0]!.verdict, 'fail');
  });

  it('wants newuidmap and newgidmap setuid root', () => {
    const dir = tempTree({ 'bin/newuidmap': '#!/bin/sh\n' });
    dirs.push(dir);
    const [u, g] = idMappers(facts(dir));
    assert.equal(u!.verdict, 'fail');
    assert.match(u!.message, /is not setuid root/);
    assert.match(g!.message, /not installed/);
    const real = idMappers(facts(dir, { searchPath: ['/usr/bin'] }));
    if (real.every((r) => !r.message.includes('not installed'))) assert.deepEqual(real.map((r) => r.verdict), ['pass', 'pass']);
  });
});

describe('engine and API socket', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));
  const serve = (path: string, status: number) =>
    new Promise<void>((resolve) => {
      const srv = createServer((req, res) => {
        res.writeHead(req.url === '/_ping' ? status : 404);
        res.end(status === 200 ? 'OK' : 'nope');
      });
      servers.push(srv);
      srv.listen(path, () => resolve());
    });

  it('answers _ping over a real unix socket, fails a socket that errors, warns on a missing one', async () => {
    const dir = tempTree({});
    dirs.push(dir);
    await serve(join(dir, 'ok.sock'), 200);
    await serve(join(dir, 'bad.sock'), 500);
    assert.equal((await apiSocket(facts(dir, { socket: join(dir, 'ok.sock') })))[0]!.verdict, 'pass');
    const bad = (await apiSocket(facts(dir, { socket: join(dir, 'bad.sock') })))[0]!;
    assert.equal(bad.verdict, 'fail');
    assert.match(bad.message, /HTTP 500/);
    assert.equal((await apiSocket(facts(dir, { socket: join(dir, 'none.sock') })))[0]!.verdict, 'warn');
  });

  it('reports the engine version from the real binary, or its absence', async (t) => {
    const dir = tempTree({});
    dirs.push(dir);
    const missing = await engineVersion(facts(dir));
    assert.equal(missing[0]!.verdict, 'fail');
    assert.match(missing[0]!.message, /is not installed/);
    if (spawnSync('podman', ['--version']).status !== 0) {
      t.skip('podman is absent');
      return;
    }
    const real = await engineVersion(facts(dir, { engine: new LocalEngine('podman') }));
    assert.match(real[0]!.message, /^podman \d+\.\d+/);
  });
});

describe('doctor run as someone else, and age', () => {
  it('says to run it as the host\'s user, skips the checks that would look at the wrong user, and fails', async () => {
    const dir = tempTree({ ...baseRepo({ 'stacks/web/stack.yml': 'secrets:\n  - name: web\n    vars: [TOKEN]\n' }), subuid: '', subgid: '' });
    dirs.push(dir);
    const { repo } = loadRepo(dir, new FileSource());
    const targets = targetsFor(repo!, [], undefined);
    const results = await runDoctor(facts(dir), targets);
    const user = results.find((r) => r.check === 'user')!;
    assert.equal(user.verdict, 'fail');
    assert.match(user.message, /^doctor runs as nobody, but host doc1 runs its stacks as homelab/);
    assert.equal(user.fix, 'run doctor as homelab: sudo -iu homelab berth doctor');
    assert.deepEqual(results.filter((r) => /: (dirs|containers)$|^subuid$/.test(r.check)), []);
    assert.equal(results.find((r) => r.check === 'age')!.verdict, 'fail');
  });

  it('finds age on the search path', () => {
    const dir = tempTree({ 'bin/age': '#!/bin/sh\n' });
    dirs.push(dir);
    assert.equal(ageTool(facts(dir), true)[0]!.verdict, 'pass');
    assert.equal(ageTool(facts(join(dir, 'none')), false)[0]!.verdict, 'warn');
  });
});
