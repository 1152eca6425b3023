import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRepo } from '../src/config/load-repo.js';
import { collectStackFiles } from '../src/render/collect.js';
import { hostLayout, type HostLayout } from '../src/render/layout.js';
import { DOTENV_FUNCTION, stackCommon } from '../src/render/stack-common.js';
import { parseDotenv } from '../src/source/dotenv.js';
import fc from 'fast-check';
import { pathUnitName, unitPath } from '../src/render/unit-file.js';
import { FileSource } from '../src/source/files.js';
import { removeTree, tempTree, toolsOrSkip } from './helpers.js';
import { writeArtifacts } from './render-host-kit.js';

/** A layout rooted in a temp folder, so the rendered scripts run here for real. */
function layoutUnder(root: string, user = 'homelab', uid = 1000): HostLayout {
  const base = hostLayout({ user, uid });
  const moved = Object.fromEntries(Object.entries(base).map(([k, v]) => [k, typeof v === 'string' && v.startsWith('/') ? join(root, v) : v]));
  return moved as unknown as HostLayout;
}

test('unit names of mount paths match systemd-escape --path', (t) => {
  if (!toolsOrSkip(t, 'systemd-escape')) return;
  for (const path of ['/mnt/data', '/mnt/my data/ü-x.y', '/srv//docker/', '/', '/mnt/.hidden', '/mnt/a:b_c']) {
    const expected = execFileSync('systemd-escape', ['--path', '--suffix=automount', path], { encoding: 'utf8' }).trim();
    assert.equal(pathUnitName(path, 'automount'), expected, path);
  }
});

test('ordering: required mounts, optional automounts, other stacks on the host, system targets left out with a note', () => {
  const dir = tempTree({
    'berth.yml': 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\n',
    'hosts.yml': 'hosts:\n  doc1:\n    stacks: [web, db]\n',
    'stacks/web/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n',
    'stacks/web/stack.yml': 'mounts:\n  required: [/mnt/data]\n  optional: [/mnt/mum]\nafter: [db, network-online.target, mnt-x.mount]\n',
    'stacks/db/compose.yml': 'services:\n  db:\n    image: docker.io/library/postgres:16\n',
  });
  try {
    const { repo } = loadRepo(dir, new FileSource());
    const host = repo!.hosts[0]!;
    const deployment = repo!.deployments.find((d) => d.stack === 'web')!;
    const c = stackCommon({ repo: repo!, host, stack: repo!.stacks.web!, deployment, layout: hostLayout(host), files: collectStackFiles(repo!, ['web']) });
    assert.deepEqual(c.unitEntries, [
      ['RequiresMountsFor', '/mnt/data'],
      ['Wants', 'mnt-mum.automount'],
      ['After', 'mnt-mum.automount'],
      ['Wants', 'berth-db.target'],
      ['After', 'berth-db.target'],
      ['After', 'mnt-x.mount'],
    ]);
    assert.ok(c.notes.some((n) => n.key === 'after' && n.fidelity === 'approximated' && n.message.includes('network-online.target')));
    const compose = stackCommon({ repo: repo!, host: { ...host, mode: 'compose' }, stack: repo!.stacks.web!, deployment, layout: hostLayout(host), files: new Map() });
    assert.ok(compose.unitEntries.some(([k, v]) => k === 'After' && v === 'berth-db.service'));
  } finally {
    removeTree(dir);
  }
});

test('secrets: decrypted into the runtime dir only, each service gets exactly its values, "$", quotes and "%" intact', (t) => {
  if (!toolsOrSkip(t, 'age', 'age-keygen')) return;
  const dir = tempTree({
    'berth.yml': 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\n',
    'hosts.yml': 'hosts:\n  doc1:\n    stacks: [app]\n',
    'stacks/app/compose.yml': [
      'services:',
      '  app:',
      '    image: docker.io/library/nginx:1.27',
      '    environment:',
      '      PLAIN: not secret',
      '      DB_PASSWORD: ${DB_PASSWORD}',
      '      DATABASE_URL: postgres://app:${DB_PASSWORD}@db/app?x=100%',
      '      TOKEN: ${API_TOKEN}',
      '  db:',
      '    image: docker.io/library/postgres:16',
      '    environment:',
      '      POSTGRES_PASSWORD: ${DB_PASSWORD}',
      '',
    ].join('\n'),
    'stacks/app/stack.yml': 'secrets:\n  - name: app\n    vars: [DB_PASSWORD, API_TOKEN]\n',
  });
  const root = join(dir, 'host');
  try {
    const key = join(dir, 'key.txt');
    execFileSync('age-keygen', ['-o', key], { stdio: 'ignore' });
    const recipient = execFileSync('age-keygen', ['-y', key], { encoding: 'utf8' }).trim();
    mkdirSync(join(dir, 'secrets'));
    execFileSync('age', ['-r', recipient, '-o', join(dir, 'secrets/app.env.age')], { input: `# comment\nDB_PASSWORD="pa$s 'w\\"rd"\nexport API_TOKEN='t%k$en'\nUNUSED=x\n` });

    const { repo, diagnostics } = loadRepo(dir, new FileSource());
    assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
    const host = repo!.hosts[0]!;
    const layout = layoutUnder(root);
    // Compose mode: the whole normalised file is written too (podman-compose reads it); Quadlet mode writes only the services' files.
    const c = stackCommon({ repo: repo!, host: { ...host, mode: 'compose' }, stack: repo!.stacks.app!, deployment: repo!.deployments[0]!, layout, files: collectStackFiles(repo!, ['app']) });
    assert.deepEqual(c.secretEnv.app!.keys, ['DB_PASSWORD', 'DATABASE_URL', 'TOKEN']);
    assert.deepEqual(c.secretEnv.db!.keys, ['POSTGRES_PASSWORD']);
    const rendered = c.artifacts.map((a) => Buffer.from(a.content).toString('latin1')).join('\n');
    assert.ok(!rendered.includes('pa$s'), 'no secret value in any rendered file');

    // The layout lives under `root`, so artifact paths are absolute paths inside it.
    writeArtifacts('/', c.artifacts);
    mkdirSync(dirname(layout.identityFile), { recursive: true });
    writeFileSync(layout.identityFile, readFileSync(key));
    assert.equal(c.preStart.length, 1);
    const r = spawnSync(c.preStart[0]![0]!, { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const secretsDir = join(layout.runtimeSecretsDir, 'app');
    assert.equal(readFileSync(join(secretsDir, 'app.env'), 'utf8'), `DB_PASSWORD=pa$s 'w"rd\nAPI_TOKEN=t%k$en\nUNUSED=x\n`, 'normalised: raw NAME=value lines');
    assert.deepEqual(readdirSync(secretsDir).sort(), ['app.env', 'services'], 'no decrypted leftovers');
    assert.equal(readFileSync(c.secretEnv.app!.file, 'utf8'), `DB_PASSWORD=pa$s 'w"rd\nDATABASE_URL=postgres://app:pa$s 'w"rd@db/app?x=100%\nTOKEN=t%k$en\n`);
    assert.equal(readFileSync(c.secretEnv.db!.file, 'utf8'), `POSTGRES_PASSWORD=pa$s 'w"rd\n`);
    assert.equal(statSync(secretsDir).mode & 0o777, 0o700);
    assert.equal(statSync(c.secretEnv.app!.file).mode & 0o777, 0o600);
    assert.equal(r.stdout + r.stderr, '', 'the script prints nothing, secrets least of all');
  } finally {
    removeTree(dir);
  }
});

test('dirs: created as the rootless user, container uids mapped through the subuid range, network roots never chowned', (t) => {
  if (!toolsOrSkip(t, 'podman', 'runuser')) return;
  const user = 'berthtest';
  if (spawnSync('id', [user]).status !== 0 || process.getuid?.() !== 0) {
    console.log(`# notice: needs root and the rootless user ${user} (.ci/testbed); skipping`);
    t.skip('no rootless test user');
    return;
  }
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
  const subuid = readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`))!.split(':');
  const start = Number(subuid[1]);
  const data = tempTree({}, 'berth-dirs-');
  chownSync(data, uid, uid);
  mkdirSync(join(data, 'nfs'));
  chownSync(join(data, 'nfs'), uid, uid);
  const dir = tempTree({
    'berth.yml': `user: ${user}\nuid: ${uid}\nroots:\n  DATA_ROOT: ${data}\n  MEDIA_ROOT: ${data}/nfs\nnetworkRoots: [MEDIA_ROOT]\n`,
    'hosts.yml': 'hosts:\n  doc1:\n    stacks: [app]\n',
    'stacks/app/compose.yml': 'services:\n  app:\n    image: docker.io/library/postgres:16\n',
    'stacks/app/stack.yml': [
      'dirs:',
      '  - path: ${DATA_ROOT}/app/pgdata',
      '    owner: container:999',
      '    mode: "0700"',
      '  - path: ${DATA_ROOT}/app/cache',
      '  - path: ${MEDIA_ROOT}/app/library',
      '    owner: container:1000',
      '',
    ].join('\n'),
  });
  try {
    const { repo } = loadRepo(dir, new FileSource());
    const host = repo!.hosts[0]!;
    const c = stackCommon({ repo: repo!, host, stack: repo!.stacks.app!, deployment: repo!.deployments[0]!, layout: layoutUnder(join(dir, 'host'), user, uid), files: new Map() });
    writeArtifacts('/', c.artifacts);
    const script = c.preStart[0]![0]!;
    chmodSync(dirname(script), 0o755);
    for (let d = dirname(script); d !== '/'; d = dirname(d)) chmodSync(d, statSync(d).mode | 0o005);
    const runAsUser = () => spawnSync('runuser', ['-u', user, '--', 'env', `XDG_RUNTIME_DIR=/run/user/${uid}`, `HOME=/home/${user}`, script], { encoding: 'utf8', cwd: '/' });
    const r = runAsUser();
    assert.equal(r.status, 0, r.stderr);
    const again = runAsUser();
    assert.equal(again.status, 0, `the second start must prepare the same directories again: ${again.stderr}`);
    const pg = statSync(join(data, 'app/pgdata'));
    assert.equal(pg.uid, start + 998, 'container uid 999 is the 999th subordinate uid');
    assert.equal(pg.mode & 0o777, 0o700);
    assert.equal(statSync(join(data, 'app/cache')).uid, uid, 'owner "user" is the rootless user itself');
    assert.equal(statSync(join(data, 'nfs/app/library')).uid, uid, 'inside a network root: created, not chowned');
    assert.ok(c.notes.some((n) => n.key === 'dirs' && n.message.includes('network root')));
  } finally {
    spawnSync('rm', ['-rf', data]);
    removeTree(dir);
  }
});

test('the rendered dotenv reader agrees with berth\'s own parser on any dotenv file (property)', (t) => {
  if (!toolsOrSkip(t, 'awk', 'sh')) return;
  const dir = tempTree({});
  try {
    const script = join(dir, 'dotenv.sh');
    writeFileSync(script, `${DOTENV_FUNCTION}\ndotenv "$1" "$2"\n`);
    const keyArb = fc.constantFrom('A', 'DB_PASSWORD', 'x.y', 'K-1', '_k');
    const valueArb = fc.stringMatching(/^[ a-z0-9$#'"\\=%`\t]{0,12}$/);
    const lineArb = fc.oneof(
      fc.tuple(fc.constantFrom('', 'export ', '  '), keyArb, fc.constantFrom('=', ' = ', '= '), fc.oneof(valueArb, valueArb.map((v) => `"${v}"`), valueArb.map((v) => `'${v}'`)), fc.constantFrom('', ' # note', '  ')).map((p) => p.join('')),
      fc.constantFrom('# comment', '', '   ', 'A'),
    );
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 6 }), fc.constantFrom('\n', '\r\n'), keyArb, (lines, eol, key) => {
        const text = lines.join(eol) + eol;
        const file = join(dir, 'x.env');
        writeFileSync(file, text);
        const expected = parseDotenv(text, file);
        const r = spawnSync('sh', [script, file, key], { encoding: 'utf8' });
        const value = expected.vars.get(key);
        if (value === undefined) return r.status === 3 && r.stdout === '';
        if (/[\r\n]/.test(value)) return r.status === 3 && r.stdout === '' && !r.stderr.includes(value);
        return r.status === 0 && r.stdout === value;
      }),
      { numRuns: 150 },
    );
    // The normalised form: raw NAME=value lines, nothing quoted or escaped.
    writeFileSync(join(dir, 'y.env'), 'A=a"b\\c$d`e\nexport B=\'x y\' # c\n');
    assert.equal(spawnSync('sh', [script, join(dir, 'y.env'), '*'], { encoding: 'utf8' }).stdout, 'A=a"b\\c$d`e\nB=x y\n');
  } finally {
    removeTree(dir);
  }
});

test('mount paths with blanks, quotes and % reach RequiresMountsFor= whole (systemd-analyze verify)', (t) => {
  if (!toolsOrSkip(t, 'systemd-analyze')) return;
  const dir = tempTree({});
  try {
    const paths = ['/mnt/my disk', '/mnt/pct%b', '/mnt/q"x', "/mnt/it's"];
    const unit = (value: string) => `[Unit]\nDescription=x\nRequiresMountsFor=${value}\n[Service]\nType=oneshot\nExecStart=/bin/true\n`;
    const verify = (text: string) => {
      writeFileSync(join(dir, 'berth-m.service'), text);
      const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, 'berth-m.service')], { encoding: 'utf8' });
      return r.stdout + r.stderr;
    };
    assert.equal(verify(unit(paths.map(unitPath).join(' '))), '');
    assert.match(verify(unit(paths[0]!)), /not absolute/, 'the check itself can fail');
  } finally {
    removeTree(dir);
  }
});
