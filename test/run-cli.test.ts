import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { baseRepo, berth, removeTree, tempTree } from './helpers.js';

/** The run commands as a user meets them when something is wrong: exit codes and one clear line. */
const dirs: string[] = [];
after(() => dirs.forEach(removeTree));
const repo = () => {
  const d = tempTree(baseRepo());
  dirs.push(d);
  return d;
};
/** A PATH with no engine on it: the engine is "not installed"; a runtime dir of the test's own, whoever runs it. */
const noEngine = () => {
  const d = tempTree({});
  dirs.push(d);
  return { PATH: d, XDG_RUNTIME_DIR: d };
};

describe('run commands: usage and engine errors', () => {
  it('names an unknown stack or host with a suggestion, exit 2', () => {
    const r = berth(['up', 'wbe', '--repo', repo()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: no stack "wbe" in .*; did you mean "web"\?/);
    const h = berth(['status', '--host', 'doc2', '--repo', repo()]);
    assert.equal(h.code, 2);
    assert.match(h.stderr, /no host "doc2" in hosts.yml; did you mean "doc1"\?/);
    assert.equal(berth(['up', 'web', '--timeout', 'soon', '--repo', repo()]).code, 2);
    assert.equal(berth(['logs', '--repo', repo()]).code, 2);
    const tail = berth(['logs', 'web', '--tail', 'abc', '--repo', repo()], { env: noEngine() });
    assert.equal(tail.code, 2, tail.stderr);
    assert.match(tail.stderr, /^error: --tail takes a number of lines, not "abc"/);
    // down and status also look for containers of a stack no longer in the repository; with none (here
    // the engine cannot even be asked), the name is still a usage error.
    for (const cmd of ['down', 'status']) {
      const d = berth([cmd, 'wbe', '--repo', repo()], { env: noEngine() });
      assert.equal(d.code, 2, d.stderr);
      assert.match(d.stderr, /^error: no stack "wbe" in .*; did you mean "web"\? \(nor could the engine be asked for containers of a stack that was removed: podman is not installed/);
    }
  });

  it('turns a missing engine into one line and exit 1, not a stack trace', () => {
    for (const args of [['up', 'web'], ['down', 'web'], ['status']]) {
      const r = berth([...args, '--repo', repo()], { env: noEngine() });
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^error: (web: )?podman is not installed or not in PATH \(run "berth doctor"/);
    }
    const ps = berth(['ps'], { env: noEngine() });
    assert.equal(ps.code, 1);
  });

  it('refuses a stack whose required mount is not mounted, before touching the engine', () => {
    const d = tempTree(baseRepo({ 'stacks/web/stack.yml': 'mounts:\n  required: [/berth-no-such-mount]\n' }));
    dirs.push(d);
    const r = berth(['up', 'web', '--repo', d], { env: noEngine() });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: web: needs \/berth-no-such-mount mounted \(stack\.yml mounts\.required\), and it is not: mount it first/);
  });

  it('one berth at a time per stack: down and restart wait for no one, they refuse while another run holds the stack', () => {
    const env = noEngine();
    mkdirSync(join(env.XDG_RUNTIME_DIR, 'berth/locks'), { recursive: true });
    // This test's own process stands for the other berth: it is alive.
    writeFileSync(join(env.XDG_RUNTIME_DIR, 'berth/locks/web.lock'), `${process.pid} up\n`);
    for (const cmd of ['down', 'restart']) {
      const r = berth([cmd, 'web', '--repo', repo()], { env });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^error: web: another berth up of web is running \\(pid ${process.pid}\\)`));
    }
  });

  it('refuses a secret declared without vars, naming the variable and the stack.yml fix, before touching the engine', () => {
    const d = tempTree(baseRepo({
      'stacks/web/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    environment:\n      TOKEN: ${TOKEN}\n',
      'stacks/web/stack.yml': 'secrets:\n  - name: web\n',
      'secrets/web.env.age': 'x',
    }));
    dirs.push(d);
    const r = berth(['up', 'web', '--repo', d], { env: noEngine() });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /error: web: secret web lists no vars, so TOKEN would be empty in the containers: list them in stack.yml \(secrets: \[\{name: web, vars: \[TOKEN\]\}\]\)/);
  });

  it('tries every stack when one fails, and ends with a summary and exit 1', () => {
    const r = berth(['up', 'web', 'db', '--repo', repo()], { env: noEngine() });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('error:')).length, 2, r.stderr);
    assert.match(r.stdout, /up: 0 of 2 stacks done; failed: (web, db|db, web)/);
  });

  it('refuses to run a repository with errors, exit 2', () => {
    const d = tempTree(baseRepo({ 'stacks/web/compose.yml': 'services:\n  web:\n    image: nginx\n    ports: ["x:80"]\n' }));
    dirs.push(d);
    const r = berth(['up', 'web', '--repo', d]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid port mapping/);
  });

  it('doctor checks the machine without a repository and says what failed, as JSON too', () => {
    const d = tempTree({});
    dirs.push(d);
    const r = berth(['doctor', '--json'], { cwd: d, env: noEngine() });
    assert.equal(r.code, 1, r.stderr);
    const results = JSON.parse(r.stdout) as { check: string; verdict: string; fix?: string }[];
    const engine = results.find((x) => x.check === 'engine')!;
    assert.equal(engine.verdict, 'fail');
    assert.match(engine.fix!, /apt-get install podman/);
    const text = berth(['doctor'], { cwd: d, env: noEngine() });
    assert.match(text.stdout, /✗ fail {2}engine: podman is not installed/);
    assert.match(text.stdout, /\d+ passed, \d+ warnings, \d+ failed\n$/);
  });
});
