import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { baseRepo, berth, removeTree, tempTree } from './helpers.js';

/**
 * Each broken repository must exit 2 and print every problem with file:line:col, its code and a hint,
 * and never a stack trace.
 */
interface Case {
  name: string;
  files: Record<string, string>;
  /** code and "file:line:col" that must appear */
  expect: { code: string; at: string }[];
}

const billionLaughs = [
  'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghij'.split('').map((c, i) => `x-${c}: &${c} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(',')}]`),
  'services:\n  web:\n    image: x\n',
].join('\n');

const CASES: Case[] = [
  {
    name: 'unknown stack in hosts.yml, with a suggestion',
    files: { 'hosts.yml': 'hosts:\n  doc1:\n    stacks: [web, dbb]\n' },
    expect: [{ code: 'UNKNOWN_STACK', at: 'hosts.yml:3:19' }],
  },
  {
    name: 'YAML syntax error',
    files: { 'stacks/web/compose.yml': 'services:\n  web:\n    image: "nginx\n    ports: [80\n' },
    expect: [{ code: 'YAML_SYNTAX', at: 'stacks/web/compose.yml:' }],
  },
  {
    name: 'duplicate key',
    files: { 'stacks/web/compose.yml': 'services:\n  web:\n    image: nginx:1\n    labels:\n      a: b\n    labels:\n      c: d\n' },
    expect: [{ code: 'YAML_DUPLICATE_KEY', at: 'stacks/web/compose.yml:6:5' }],
  },
  {
    name: 'compose schema violation',
    files: { 'stacks/web/compose.yml': 'services:\n  web:\n    image: nginx:1\n    ports: "8080:80"\n' },
    expect: [{ code: 'SCHEMA', at: 'stacks/web/compose.yml:4:12' }],
  },
  {
    name: 'unset ${VAR:?msg}',
    files: { 'stacks/web/compose.yml': 'services:\n  web:\n    image: nginx:1\n    environment:\n      TOKEN: ${API_TOKEN:?set API_TOKEN in .env}\n' },
    expect: [{ code: 'VAR_REQUIRED', at: 'stacks/web/compose.yml:5:14' }],
  },
  {
    name: 'stack folder named Media.Server',
    files: {
      'hosts.yml': 'hosts:\n  doc1:\n    stacks: [web, db, Media.Server]\n',
      'stacks/Media.Server/compose.yml': 'services:\n  jellyfin:\n    image: lscr.io/linuxserver/jellyfin:10.10\n',
    },
    expect: [
      { code: 'STACK_NAME_INVALID', at: 'stacks/Media.Server/compose.yml:1:1' },
      { code: 'STACK_NAME_INVALID', at: 'hosts.yml:3:23' },
    ],
  },
  {
    name: 'stack named .. in hosts.yml',
    files: { 'hosts.yml': 'hosts:\n  doc1:\n    stacks: [web, "..", ../secrets]\n' },
    expect: [
      { code: 'STACK_NAME_INVALID', at: 'hosts.yml:3:19' },
      { code: 'STACK_NAME_INVALID', at: 'hosts.yml:3:25' },
    ],
  },
  {
    name: 'two stacks publishing 8080/tcp on one host',
    files: { 'stacks/db/compose.yml': 'services:\n  db:\n    image: docker.io/library/postgres:16\n    ports:\n      - "8080:5432"\n' },
    expect: [{ code: 'PORT_CONFLICT', at: 'stacks/db/compose.yml:5:9' }],
  },
  {
    name: 'billion-laughs alias bomb',
    files: { 'stacks/web/compose.yml': billionLaughs },
    expect: [{ code: 'YAML_ALIAS_BOMB', at: 'stacks/web/compose.yml:' }],
  },
  {
    name: 'unknown stack.yml key, with a suggestion',
    files: { 'stacks/web/stack.yml': 'descripton: a web server\n' },
    expect: [{ code: 'UNKNOWN_KEY', at: 'stacks/web/stack.yml:1:1' }],
  },
  {
    name: 'root variable used but defined nowhere',
    files: { 'stacks/web/compose.yml': 'services:\n  web:\n    image: nginx:1\n    volumes: ["${DATA_ROT}/web:/data"]\n' },
    expect: [{ code: 'VAR_UNDEFINED', at: 'stacks/web/compose.yml:4:15' }],
  },
  {
    name: 'secret named in stack.yml but missing',
    files: { 'stacks/web/stack.yml': 'secrets: [web]\n' },
    expect: [{ code: 'SECRET_MISSING', at: 'stacks/web/stack.yml:1:11' }],
  },
  {
    name: 'compose secret file missing',
    files: { 'stacks/web/compose.yml': 'services:\n  web:\n    image: nginx:1\n    secrets: [token]\nsecrets:\n  token:\n    file: ./secrets/token\n' },
    expect: [{ code: 'SECRET_MISSING', at: 'stacks/web/compose.yml:7:11' }],
  },
  {
    name: 'same container_name in two stacks on one host',
    files: {
      'stacks/web/compose.yml': 'services:\n  web:\n    image: nginx:1\n    container_name: app\n',
      'stacks/db/compose.yml': 'services:\n  db:\n    image: postgres:16\n    container_name: app\n',
    },
    expect: [{ code: 'CONTAINER_NAME_CONFLICT', at: 'stacks/db/compose.yml:4:21' }],
  },
  {
    name: 'default unit and container names that collide: stack web + service db-x, stack web-db + service x',
    files: {
      'hosts.yml': 'hosts:\n  doc1:\n    stacks: [web, web-db]\n',
      'stacks/web/compose.yml': 'services:\n  db-x:\n    image: nginx:1\n',
      'stacks/web-db/compose.yml': 'services:\n  x:\n    image: postgres:16\n',
      'stacks/db/compose.yml': 'services:\n  db:\n    image: postgres:16\n',
    },
    expect: [{ code: 'UNIT_NAME_CONFLICT', at: 'stacks/web-db/compose.yml:2:3' }],
  },
  {
    name: 'services that wait for each other in a circle: a joins b\'s network, b takes a\'s volumes',
    files: { 'stacks/web/compose.yml': 'services:\n  a:\n    image: nginx:1\n    network_mode: service:b\n  b:\n    image: nginx:1\n    volumes_from: [a]\n' },
    expect: [{ code: 'START_ORDER_CYCLE', at: 'stacks/web/compose.yml:4:19' }],
  },
  {
    name: 'stacks ordered after each other in a circle',
    files: { 'stacks/web/stack.yml': 'after: [db]\n', 'stacks/db/stack.yml': 'after: [web]\n' },
    expect: [{ code: 'START_ORDER_CYCLE', at: 'stacks/db/stack.yml:1:9' }],
  },
  {
    name: 'a depends_on circle',
    files: { 'stacks/web/compose.yml': 'services:\n  a:\n    image: nginx:1\n    depends_on: [b]\n  b:\n    image: nginx:1\n    depends_on:\n      a:\n        condition: service_healthy\n' },
    expect: [{ code: 'START_ORDER_CYCLE', at: 'stacks/web/compose.yml:4:18' }],
  },
  {
    name: 'same proxy host name in two stacks on one host',
    files: {
      'stacks/web/stack.yml': 'proxy: [{ host: app.example.org, port: 80 }]\n',
      'stacks/db/stack.yml': 'proxy: [{ host: app.example.org, port: 5432 }]\n',
    },
    expect: [{ code: 'PROXY_HOST_CONFLICT', at: 'stacks/db/stack.yml:1:9' }],
  },
];

describe('broken repositories exit 2 with positioned diagnostics', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach(removeTree));

  for (const c of CASES) {
    test(c.name, () => {
      const dir = tempTree(baseRepo(c.files));
      dirs.push(dir);
      const r = berth(['validate', dir], { cwd: dir });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      for (const e of c.expect) {
        const line = r.stdout.split('\n').find((l) => l.includes(`[${e.code}]`) && l.startsWith(e.at));
        assert.ok(line, `expected ${e.code} at ${e.at} in:\n${r.stdout}`);
      }
      assert.match(r.stdout, /hint: /);
      assert.doesNotMatch(r.stdout + r.stderr, /^\s+at .*(\.js|\.ts|node:)/m, 'no stack trace');
    });
  }

  test('every problem is reported in one run', () => {
    const dir = tempTree(
      baseRepo({
        'hosts.yml': 'hosts:\n  doc1:\n    stacks: [web, db, nope]\n',
        'stacks/web/stack.yml': 'descripton: typo\n',
        'stacks/db/compose.yml': 'services:\n  db:\n    image: postgres:16\n    restrat: always\n',
      }),
    );
    dirs.push(dir);
    const r = berth(['validate', '--json', dir], { cwd: dir });
    assert.equal(r.code, 2);
    const out = JSON.parse(r.stdout) as { valid: boolean; diagnostics: { code: string; file: string; line: number; column: number }[] };
    assert.equal(out.valid, false);
    assert.deepEqual(
      out.diagnostics.filter((d) => d.code !== 'STACK_UNUSED').map((d) => `${d.code} ${d.file}:${d.line}:${d.column}`),
      ['UNKNOWN_STACK hosts.yml:3:23', 'UNKNOWN_KEY stacks/db/compose.yml:4:5', 'UNKNOWN_KEY stacks/web/stack.yml:1:1'],
    );
  });

  test('a 20 MB compose file is refused before it is read', () => {
    const big = 'services:\n  web:\n    image: nginx:1\n' + `x-padding: "${'a'.repeat(20 * 1024 * 1024)}"\n`;
    const dir = tempTree(baseRepo({ 'stacks/web/compose.yml': big }));
    dirs.push(dir);
    const r = berth(['validate', dir], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^stacks\/web\/compose\.yml:1:1: error .*20\.0 MiB.*\[FILE_TOO_LARGE\]/m);
  });

  test('not a repository', () => {
    const dir = tempTree({ 'README.md': 'hello' });
    dirs.push(dir);
    const r = berth(['validate', dir], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stdout, /\[REPO_NOT_FOUND\]/);
  });
});
