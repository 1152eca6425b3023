import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { berth, removeTree, ROOT, tempTree } from './helpers.js';

/** What --fix must never do to a user's files, each found once by review and kept fixed here. */
describe('berth audit --fix is safe', () => {
  const dirs: string[] = [];
  const project = (files: Record<string, string>) => {
    const d = tempTree(files);
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach(removeTree));
  const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

  test('a flow-style compose file is left whole: line removals only happen where the line holds nothing else', () => {
    const text = '{version: "3.8", services: {web: {image: "docker.io/library/nginx:1.27", privileged: true, restart: always}}}\n';
    const dir = project({ 'compose.yml': text });
    berth(['audit', '--fix-unsafe', dir], { cwd: dir });
    assert.equal(read(dir, 'compose.yml'), text);
  });

  test('a finding in a file reached through extends gets no fix computed against another file', () => {
    const base = 'services:\n  base:\n    image: docker.io/library/nginx:1.27\n    privileged: true\n';
    const dir = project({ 'compose.yml': 'services:\n  web:\n    extends: { file: base.yml, service: base }\n', 'base.yml': base });
    berth(['audit', '--fix-unsafe', join(dir, 'compose.yml')], { cwd: dir });
    assert.equal(read(dir, 'base.yml'), base);
  });

  test('"# berth-ignore" inside a quoted value is text: it silences nothing and is never "fixed" away', () => {
    const text = 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    command: "echo # berth-ignore no-privileged -- x"\n    privileged: true\n';
    const dir = project({ 'compose.yml': text });
    const r = JSON.parse(berth(['audit', '--format', 'json', dir], { cwd: dir }).stdout) as { findings: { rule: string }[]; summary: { suppressed: number } };
    assert.ok(r.findings.some((f) => f.rule === 'no-privileged'));
    assert.equal(r.summary.suppressed, 0);
    berth(['audit', '--fix', dir], { cwd: dir });
    assert.equal(read(dir, 'compose.yml'), text);
  });

  test('a fixed file keeps its mode and line endings; a symlink stays a symlink', () => {
    const dir = project({ 'real/compose.yml': 'version: "3"\r\nservices:\r\n  web:\r\n    image: docker.io/library/nginx:1.27\r\n    restart: always\r\n' });
    chmodSync(join(dir, 'real/compose.yml'), 0o600);
    symlinkSync(join(dir, 'real/compose.yml'), join(dir, 'compose.yml'));
    berth(['audit', '--fix', join(dir, 'compose.yml')], { cwd: dir });
    assert.equal(read(dir, 'real/compose.yml'), 'services:\r\n  web:\r\n    image: docker.io/library/nginx:1.27\r\n    restart: always\r\n');
    assert.equal(statSync(join(dir, 'real/compose.yml')).mode & 0o777, 0o600);
  });

  test('services behind profiles are audited too', () => {
    const dir = project({ 'compose.yml': 'services:\n  debug:\n    image: docker.io/library/busybox:1.36\n    profiles: [debug]\n    privileged: true\n' });
    const r = berth(['audit', '--format', 'json', dir], { cwd: dir });
    assert.equal(r.code, 1);
    assert.ok((JSON.parse(r.stdout) as { findings: { rule: string }[] }).findings.some((f) => f.rule === 'no-privileged'));
  });

  test('a suppressed finding does not count against the grade', () => {
    const files = (comment: string) => ({ 'compose.yml': `services:\n  web:\n    image: docker.io/library/nginx:1.27\n    restart: always\n${comment}    network_mode: host\n` });
    const grade = (dir: string) => (JSON.parse(berth(['audit', '--format', 'json', '--fail-on', 'none', dir], { cwd: dir }).stdout) as { grade: { score: number } }).grade.score;
    const loud = project(files(''));
    const quiet = project(files('    # berth-ignore no-host-network -- a DHCP server needs the LAN\n'));
    assert.ok(grade(quiet) > grade(loud), `${grade(quiet)} > ${grade(loud)}`);
  });

  test('one dangerous service among clean ones is not graded "production ready"', () => {
    const clean = (n: string) => `  ${n}:\n    image: docker.io/library/nginx:1.27\n    restart: unless-stopped\n`;
    const dir = project({ 'compose.yml': `services:\n${clean('a')}${clean('b')}${clean('c')}  bad:\n    image: docker.io/library/alpine:3.20\n    privileged: true\n    network_mode: host\n    pid: host\n    volumes: ["/:/host", "/var/run/docker.sock:/var/run/docker.sock"]\n` });
    const r = JSON.parse(berth(['audit', '--format', 'json', '--fail-on', 'none', dir], { cwd: dir }).stdout) as { grade: { score: number; verdict: string } };
    assert.ok(r.grade.score < 8, `score ${r.grade.score}`);
    assert.doesNotMatch(r.grade.verdict, /ready/i);
  });

  test('a file the user may not write is refused with a clear error, not replaced', () => {
    const dir = project({ 'compose.yml': 'version: "3"\nservices:\n  web:\n    image: docker.io/library/nginx:1.27\n' });
    const before = read(dir, 'compose.yml');
    chmodSync(join(dir, 'compose.yml'), 0o444);
    // root may write anything, so the audit runs as nobody, in a folder nobody may write to.
    chmodSync(dir, 0o777);
    const asRoot = process.getuid?.() === 0;
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'berth.js'), 'audit', '--fix', dir], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /compose\.yml is not writable/);
    assert.equal(read(dir, 'compose.yml'), before);
  });

  test('--output into a folder that is a file is a clear error (exit 1), not an internal error', () => {
    const dir = project({ 'compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n', 'taken': 'x' });
    const r = berth(['audit', '--output', join(dir, 'taken', 'report.md'), dir], { cwd: dir });
    assert.notEqual(r.code, 70, r.stderr);
    assert.match(r.stderr, /^error: /m);
  });
});
