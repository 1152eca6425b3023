import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { baseRepo, berth, removeTree, tempTree } from './helpers.js';

/**
 * A stack.yml dirs entry whose directory a service bind-mounts with :U under another user: berth
 * prepares one owner and Podman chowns it to the other at every start. validate warns, pointing
 * at the entry, and suggests the owner that matches the service's user.
 */
describe('DIR_OWNER_CONFLICT', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach(removeTree));
  type Diag = { code: string; severity: string; file: string; line: number; column: number; message: string; hint?: string };
  const validate = (stackYml: string, compose: string): { code: number; diags: Diag[] } => {
    const dir = tempTree(baseRepo({ 'stacks/db/stack.yml': stackYml, 'stacks/db/compose.yml': compose }));
    dirs.push(dir);
    const r = berth(['validate', '--json', dir]);
    const diags = (JSON.parse(r.stdout) as { diagnostics: Diag[] }).diagnostics.map((d) => ({ ...d, file: d.file.split('/').slice(-3).join('/') }));
    return { code: r.code, diags };
  };
  const db = (user: string | undefined, mount = '${DATA_ROOT}/db:/var/lib/postgresql/data:U') =>
    `services:\n  db:\n    image: docker.io/library/postgres:16\n${user === undefined ? '' : `    user: "${user}"\n`}    volumes: ["${mount}"]\n`;

  test('the default owner (user, container root) against user 999 with :U: a warning at the entry, suggesting container:999', () => {
    const r = validate('dirs:\n  - path: ${DATA_ROOT}/db\n    mode: "0700"\n', db('999:999'));
    assert.equal(r.code, 0, 'a warning must not fail validate');
    const w = r.diags.filter((d) => d.code === 'DIR_OWNER_CONFLICT');
    assert.equal(w.length, 1, JSON.stringify(r.diags));
    assert.equal(w[0]!.severity, 'warning');
    assert.equal(`${w[0]!.file}:${w[0]!.line}:${w[0]!.column}`, 'stacks/db/stack.yml:2:5');
    assert.match(w[0]!.message, /service "db" mounts it with :U as user "999:999"/);
    assert.match(w[0]!.hint!, /owner: container:999\b/);
  });

  test('an explicit owner that differs is pointed at, and the suggestion follows the user and group', () => {
    const r = validate('dirs:\n  - path: ${DATA_ROOT}/db/\n    owner: container:999\n', db('70:71'));
    const w = r.diags.filter((d) => d.code === 'DIR_OWNER_CONFLICT');
    assert.deepEqual(w.map((d) => `${d.file}:${d.line}:${d.column}`), ['stacks/db/stack.yml:3:12']);
    assert.match(w[0]!.hint!, /owner: container:70:71\b/);
  });

  test('no warning when the owner matches the user, without :U, or when the user is not a number', () => {
    const agree = 'dirs:\n  - path: ${DATA_ROOT}/db\n    owner: container:999\n';
    assert.deepEqual(validate(agree, db('999:999')).diags, []);
    assert.deepEqual(validate(agree, db('999')).diags, []);
    assert.deepEqual(validate('dirs:\n  - path: ${DATA_ROOT}/db\n', db('999:999', '${DATA_ROOT}/db:/var/lib/postgresql/data')).diags, []);
    assert.deepEqual(validate('dirs:\n  - path: ${DATA_ROOT}/db\n', db('postgres')).diags, []);
    assert.deepEqual(validate('dirs:\n  - path: ${DATA_ROOT}/db\n', db(undefined)).diags, []);
    // Host ids map through the subuid range (berth.yml default: 100000): 100998 is container uid 999.
    assert.deepEqual(validate('dirs:\n  - path: ${DATA_ROOT}/db\n    owner: "100998:100998"\n', db('999:999')).diags, []);
  });
});
