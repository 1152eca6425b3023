import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, berth, removeTree, tempTree } from './helpers.js';
import { verifyUnavailable, verifyUserUnits } from './render-host-kit.js';

const EXAMPLE = join(ROOT, 'examples', 'homelab');
const QUADLET = process.env.BERTH_QUADLET ?? '/opt/berth-testbed/quadlet';
const MODES = ['quadlet', 'compose'] as const;
const HOSTS = ['doc1', 'media1'];

/** Every file of a tree, relative path → bytes, in a stable order. */
function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** The golden form of a rendered host: every file with its mode, text as is, bytes as a digest. */
function goldenText(dir: string): string {
  const parts: string[] = [];
  for (const [path, bytes] of readTree(dir)) {
    const mode = (statSync(join(dir, path)).mode & 0o777).toString(8);
    const text = bytes.toString('utf8');
    const printable = Buffer.from(text, 'utf8').equals(bytes) && !text.includes('\u0000');
    parts.push(`=== ${path} (${mode})\n${printable ? text : `<${bytes.length} bytes>\n`}`);
  }
  return parts.join('\n');
}

function renderAll(out: string, mode: string) {
  return berth(['render', 'all', '--repo', EXAMPLE, '--out', out, '--mode', mode]);
}

test('render writes every host of the example in both modes, and twice gives the same bytes', () => {
  const dir = tempTree({});
  try {
    for (const mode of MODES) {
      const a = renderAll(join(dir, `${mode}-a`), mode);
      assert.equal(a.code, 0, a.stderr + a.stdout);
      for (const host of HOSTS) assert.match(a.stdout, new RegExp(`^${host} \\(${mode} mode\\): \\d+ files in `, 'm'));
      const b = renderAll(join(dir, `${mode}-b`), mode);
      assert.equal(b.code, 0, b.stderr);
      const ta = readTree(join(dir, `${mode}-a`));
      const tb = readTree(join(dir, `${mode}-b`));
      assert.deepEqual([...ta.keys()], [...tb.keys()]);
      for (const [path, bytes] of ta) assert.ok(bytes.equals(tb.get(path)!), `${mode}: ${path} differs between two renders`);
      for (const host of HOSTS) {
        const golden = join(ROOT, 'test', 'golden', 'render', `${mode}-${host}.txt`);
        const actual = goldenText(join(dir, `${mode}-a`, host));
        if (process.env.UPDATE_GOLDEN) {
          mkdirSync(join(ROOT, 'test', 'golden', 'render'), { recursive: true });
          writeFileSync(golden, actual);
        }
        assert.equal(actual, readFileSync(golden, 'utf8'), `${golden} is out of date (UPDATE_GOLDEN=1 to accept a deliberate change)`);
      }
    }
  } finally {
    removeTree(dir);
  }
});

test('every unit rendered for the example passes systemd-analyze verify, every Quadlet file the real generator', (t) => {
  const missing = [verifyUnavailable() ?? '', existsSync(QUADLET) ? '' : `${QUADLET} is missing`].filter(Boolean);
  if (missing.length) {
    console.log(`# notice: ${missing.join(', ')} missing (.ci/testbed provides them); skipping`);
    t.skip('tools missing');
    return;
  }
  const dir = tempTree({});
  try {
    for (const mode of MODES) {
      const out = join(dir, mode);
      assert.equal(renderAll(out, mode).code, 0);
      for (const host of HOSTS) {
        const root = join(out, host);
        const unitDir = join(root, 'home/homelab/.config/systemd/user');
        const quadletDir = join(root, 'home/homelab/.config/containers/systemd');
        const units = readdirSync(unitDir).filter((f) => /\.(service|timer|socket|target)$/.test(f));
        assert.ok(units.length > 0, `${mode}/${host}: no units`);
        if (mode === 'quadlet') {
          assert.ok(readdirSync(quadletDir).some((f) => f.endsWith('.container')), `${host}: no .container files`);
          const dry = spawnSync(QUADLET, ['-dryrun', '-user'], { env: { ...process.env, QUADLET_UNIT_DIRS: quadletDir }, encoding: 'utf8' });
          assert.equal(dry.status, 0, `${host}: quadlet -dryrun failed:\n${dry.stderr}`);
          assert.doesNotMatch(dry.stderr, /error|unsupported|unknown/i, `${host}: quadlet complained:\n${dry.stderr}`);
        } else {
          assert.ok(!existsSync(quadletDir) || readdirSync(quadletDir).length === 0, 'compose mode renders no Quadlet files');
        }
        const verify = verifyUserUnits(root, 'homelab', units);
        assert.equal(verify.output, '', `${mode}/${host}: systemd-analyze verify:\n${verify.output}`);
        assert.equal(verify.status, 0);
      }
    }
  } finally {
    removeTree(dir);
  }
});

test('render refuses bad hosts and modes with a hint, and never replaces a folder it did not write', () => {
  const dir = tempTree({ 'mine/notes.txt': 'keep me\n' });
  try {
    const typo = berth(['render', 'doc2', '--repo', EXAMPLE, '--out', join(dir, 'x')]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /no host "doc2".*doc1/);
    const mode = berth(['render', 'doc1', '--repo', EXAMPLE, '--mode', 'kube']);
    assert.equal(mode.code, 2);
    assert.match(mode.stderr, /--mode must be quadlet or compose/);
    const refused = berth(['render', 'doc1', '--repo', EXAMPLE, '--out', join(dir, 'mine')]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not a berth render folder/);
    assert.equal(readFileSync(join(dir, 'mine/notes.txt'), 'utf8'), 'keep me\n');
  } finally {
    removeTree(dir);
  }
});

test('a second render replaces the first: files of a removed stack do not linger', () => {
  const repo = tempTree({
    'berth.yml': 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\n',
    'hosts.yml': 'hosts:\n  doc1:\n    stacks: [web, db]\n',
    'stacks/web/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n',
    'stacks/db/compose.yml': 'services:\n  db:\n    image: docker.io/library/postgres:16\n',
  });
  try {
    const out = join(repo, 'out');
    assert.equal(berth(['render', 'doc1', '--repo', repo, '--out', out]).code, 0);
    assert.ok(existsSync(join(out, 'home/homelab/.config/containers/systemd/db-db.container')));
    writeFileSync(join(repo, 'hosts.yml'), 'hosts:\n  doc1:\n    stacks: [web]\n');
    const r = berth(['render', 'doc1', '--repo', repo, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(out, 'home/homelab/.config/containers/systemd/db-db.container')));
    assert.ok(existsSync(join(out, 'home/homelab/.config/containers/systemd/web-web.container')));
  } finally {
    removeTree(repo);
  }
});

test('what is shipped: tracked files of the stack folder, never ignored files, plaintext compose secrets or earlier renders', () => {
  const repo = tempTree({
    'berth.yml': 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\n',
    'hosts.yml': 'hosts:\n  doc1:\n    stacks: [app]\n',
    'stacks/app/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    secrets: [db_pw]\n    volumes: ["./site.conf:/etc/nginx/conf.d/site.conf:ro"]\nsecrets:\n  db_pw:\n    file: ./db_pw.txt\n',
    'stacks/app/stack.yml': 'description: |\n  Web site\n  with two lines\n',
    'stacks/app/site.conf': 'server {}\n',
    'stacks/app/db_pw.txt': 'hunter2\n',
    'stacks/app/.gitignore': 'decrypted.env\n',
    'stacks/app/decrypted.env': 'PW=plaintext\n',
  });
  try {
    const inside = join(repo, 'stacks/app/out');
    const first = berth(['render', 'doc1', '--repo', repo, '--out', inside]);
    assert.equal(first.code, 1, 'a refused key exits 1');
    assert.match(first.stderr, /refused: doc1: app\/web: secrets: secret db_pw is a plain file in the stack folder/);
    const second = berth(['render', 'doc1', '--repo', repo, '--out', join(repo, 'out2')]);
    const shipped = [...readTree(join(repo, 'out2')).keys()].filter((p) => p.includes('/stacks/app/')).map((p) => p.replace(/^.*\/stacks\/app\//, ''));
    assert.deepEqual(shipped.sort(), ['.gitignore', 'compose.yml', 'site.conf', 'stack.yml'].sort(), `${second.stderr}`);
    const all = [...readTree(join(repo, 'out2')).values()].map((b) => b.toString('latin1')).join('\n');
    assert.ok(!all.includes('hunter2') && !all.includes('plaintext'), 'no secret in clear anywhere in the render');
    const target = readFileSync(join(repo, 'out2/home/homelab/.config/systemd/user/berth-app.target'), 'utf8');
    assert.match(target, /^Description=.*Web site with two lines$/m, 'a multi-line description becomes one line');
  } finally {
    removeTree(repo);
  }
});

test('--out: a file is refused before anything is written, a symlinked folder stays a link', () => {
  const dir = tempTree({ 'file.txt': 'x\n' });
  try {
    const file = berth(['render', 'all', '--repo', EXAMPLE, '--out', join(dir, 'file.txt', 'x')]);
    assert.notEqual(file.code, 70, file.stderr);
    const onFile = berth(['render', 'doc1', '--repo', EXAMPLE, '--out', join(dir, 'file.txt')]);
    assert.equal(onFile.code, 1);
    assert.match(onFile.stderr, /is a file; give --out a folder/);
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    assert.equal(berth(['render', 'doc1', '--repo', EXAMPLE, '--out', join(dir, 'link')]).code, 0);
    assert.equal(berth(['render', 'doc1', '--repo', EXAMPLE, '--out', join(dir, 'link')]).code, 0);
    assert.ok(lstatSync(join(dir, 'link')).isSymbolicLink());
    assert.ok(existsSync(join(dir, 'real', '.berth-render')));
    const holder = berth(['render', 'all', '--repo', EXAMPLE, '--out', join(dir, 'all')]);
    assert.equal(holder.code, 0);
    const one = berth(['render', 'doc1', '--repo', EXAMPLE, '--out', join(dir, 'all')]);
    assert.equal(one.code, 1);
    assert.match(one.stderr, /holds renders of doc1, media1.*--out .*all\/doc1/);
  } finally {
    removeTree(dir);
  }
});
