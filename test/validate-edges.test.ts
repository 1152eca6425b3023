import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { baseRepo, berth, removeTree, ROOT, tempTree } from './helpers.js';

/** Edge cases a review found in validate and init, each kept fixed here. */
describe('validate and init edge cases', () => {
  const dirs: string[] = [];
  const repo = (files: Record<string, string>) => {
    const d = tempTree(baseRepo(files));
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach(removeTree));
  const codes = (dir: string) => (JSON.parse(berth(['validate', '--json', dir]).stdout) as { diagnostics: { code: string; file: string; line: number }[] }).diagnostics.map((d) => `${d.code} ${d.file.split('/').slice(-3).join('/')}:${d.line}`);

  test('.env values may use variables, as compose reads them', () => {
    const dir = repo({
      'stacks/web/.env': 'BASE=80\nWEB_PORT=${BASE}80\nAPPDATA=${DATA_ROOT}/web\nLITERAL=\'${NOT_A_VAR}\'\n',
      'stacks/web/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    ports: ["${WEB_PORT}:80"]\n    volumes: ["${APPDATA}/cfg:/cfg"]\n    environment: { X: "${LITERAL}" }\n',
    });
    assert.deepEqual(codes(dir), []);
    const stacks = JSON.parse(berth(['stacks', '--json', '--repo', dir]).stdout) as { name: string; ports: string[] }[];
    assert.deepEqual(stacks.find((s) => s.name === 'web')!.ports, ['8080/tcp']);
  });

  test('a stack folder without a compose file is reported once, not also as unknown', () => {
    const dir = repo({ 'stacks/db/compose.yml': '', 'stacks/db/README.md': 'nothing yet' });
    removeTree(join(dir, 'stacks/db/compose.yml'));
    assert.deepEqual(codes(dir), [`COMPOSE_NOT_FOUND ${dir.split('/').pop()}/stacks/db:1`]);
  });

  test('stack.yml may not point its compose file outside the stack folder', () => {
    const dir = repo({ 'stacks/web/stack.yml': 'compose: ../db/compose.yml\n' });
    assert.ok(codes(dir).includes('SCHEMA stacks/web/stack.yml:1'), codes(dir).join('\n'));
  });

  test('a symlinked stack folder is a stack', () => {
    const dir = repo({ 'shared/web/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n' });
    removeTree(join(dir, 'stacks/web'));
    symlinkSync(join(dir, 'shared/web'), join(dir, 'stacks/web'));
    assert.deepEqual(codes(dir), []);
  });

  test('a file that is not UTF-8 is refused at the offending byte', () => {
    const dir = repo({});
    writeFileSync(join(dir, 'stacks/web/compose.yml'), Buffer.concat([Buffer.from('services:\n  web:\n    image: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const r = berth(['validate', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /stacks\/web\/compose\.yml:3:15: error .*is not UTF-8 text: byte 0xe9/);
  });

  test('init on a file, or with broken stacks already there, is not an internal error', () => {
    const file = tempTree({ 'f': 'x' });
    dirs.push(file);
    const r = berth(['init', join(file, 'f')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is a file, not a folder/);
    const old = tempTree({ 'stacks/old/compose.yml': 'services: [\n' });
    dirs.push(old);
    const r2 = berth(['init', old]);
    assert.equal(r2.code, 2);
    assert.match(r2.stdout, /Created a berth repository/);
    assert.match(r2.stderr, /already held files with problems/);
  });

  test('a closed pipe ends the output quietly', () => {
    // Far more output than a pipe buffers, so the writer meets the closed pipe.
    const services = Array.from({ length: 400 }, (_, i) => `  s${i}:\n    image: docker.io/library/nginx:1.27\n    privileged: true\n`).join('');
    const dir = tempTree({ 'compose.yml': `services:\n${services}` });
    dirs.push(dir);
    const r = spawnSync('bash', ['-c', `node ${join(ROOT, 'bin/berth.js')} audit ${dir} | head -1`], { encoding: 'utf8' });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'compose.yml\n');
  });

  test('validate DIR with a different --repo is a usage error', () => {
    const dir = repo({});
    const r = berth(['validate', dir, '--repo', ROOT]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /two repositories given/);
  });
});

test('a service in another container\'s network namespace publishes nothing: its ports do not conflict with the holder\'s', () => {
  const dir = tempTree(
    baseRepo({
      'stacks/web/compose.yml': 'services:\n  holder:\n    image: docker.io/library/nginx:1.27\n    ports: ["8080:80"]\n  app:\n    image: docker.io/library/nginx:1.27\n    network_mode: service:holder\n    ports: ["8080:80"]\n',
    }),
  );
  try {
    const ok = berth(['validate', dir]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.doesNotMatch(ok.stdout + ok.stderr, /PORT_CONFLICT/);
    writeFileSync(join(dir, 'stacks/web/compose.yml'), 'services:\n  holder:\n    image: docker.io/library/nginx:1.27\n    ports: ["8080:80"]\n  app:\n    image: docker.io/library/nginx:1.27\n    ports: ["8080:80"]\n');
    assert.match(berth(['validate', dir]).stdout, /PORT_CONFLICT/, 'the same ports on two namespaces do conflict');
  } finally {
    removeTree(dir);
  }
});

test('a root only some hosts define is named as such, with the host that lacks it', () => {
  const dir = tempTree(
    baseRepo({
      'hosts.yml': 'hosts:\n  doc1:\n    stacks: [web, db]\n  media1:\n    stacks: [db]\n    roots:\n      MUM_ROOT: /mnt/mum\n',
      'stacks/web/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    volumes: ["${MUM_ROOT}/films:/films:ro"]\n',
    }),
  );
  try {
    const r = berth(['validate', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /variable MUM_ROOT is not defined on host "doc1", which runs stack "web"; only "media1" defines it/);
    assert.match(r.stdout, /hint: add MUM_ROOT to the roots of host "doc1" in hosts\.yml/);
  } finally {
    removeTree(dir);
  }
});

test('a profile no service declares is a warning at the host or stack that turns it on, with a suggestion', () => {
  const dir = tempTree(
    baseRepo({
      'hosts.yml': 'hosts:\n  doc1:\n    stacks: [web, db]\n    profiles: [log-ui]\n',
      'stacks/web/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n  ui:\n    image: docker.io/amir20/dozzle:v8\n    profiles: [logs-ui]\n',
      'stacks/web/stack.yml': 'profiles: [debug]\n',
    }),
  );
  try {
    const r = berth(['validate', dir]);
    assert.equal(r.code, 0, 'warnings only');
    assert.match(r.stdout, /hosts\.yml:4:16: warning host "doc1" turns on profile "log-ui", which no service of its stacks declares \[UNKNOWN_PROFILE\][\s\S]*did you mean "logs-ui"\?/);
    assert.match(r.stdout, /stacks\/web\/stack\.yml:1:12: warning stack "web" turns on profile "debug", which none of its services declares/);
    writeFileSync(join(dir, 'hosts.yml'), 'hosts:\n  doc1:\n    stacks: [web, db]\n    profiles: [logs-ui]\n');
    writeFileSync(join(dir, 'stacks/web/stack.yml'), 'description: web\n');
    const fixed = berth(['validate', dir]);
    assert.equal(fixed.code, 0, fixed.stdout);
    assert.match(fixed.stdout, /\(0 errors, 0 warnings\)/);
  } finally {
    removeTree(dir);
  }
});

test('a schema error in one entry keeps the rest: a bad host does not hide its siblings, a misspelt key does not undefine the roots', () => {
  const dir = tempTree(
    baseRepo({
      'berth.yml': 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\nautoUpdat: { schedule: daily }\n',
      'hosts.yml': 'hosts:\n  doc1:\n    stacks: web\n  media1:\n    stacks: [wbe]\n',
    }),
  );
  try {
    const r = berth(['validate', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /berth\.yml:4:1: error/, 'the misspelt key');
    assert.match(r.stdout, /hosts\.yml:3:13: error/, 'the bad host');
    assert.match(r.stdout, /hosts\.yml:5:14: error host "media1" names stack "wbe", which does not exist/, 'its sibling is still checked');
    assert.doesNotMatch(r.stdout, /VAR_UNDEFINED/, 'the roots survived the misspelt key');
  } finally {
    removeTree(dir);
  }
});
