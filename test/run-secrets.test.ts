import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SecretRef } from '../src/model/repo.js';
import { RunError } from '../src/run/errors.js';
import { decryptSecrets, identityFile, maskSecrets, secretEnvPath, secretEnvText, substituteSecrets, withSecretEnvFile } from '../src/run/secrets.js';
import { hasSecret } from '../src/config/secret-placeholder.js';
import { activity, handleInterrupts } from '../src/run/interrupt.js';
import { lockStack } from '../src/run/lock.js';
import { removeTree, tempTree } from './helpers.js';

/** Secrets decrypted with the real age CLI (the program rendered units use too), held in memory, passed as environment. */
const dirs: string[] = [];
after(() => dirs.forEach(removeTree));
const haveAge = spawnSync('age', ['--version']).status === 0 && spawnSync('age-keygen', ['--version']).status === 0;
if (!haveAge) console.log('# notice: age is absent (.ci/testbed installs it); skipping the decryption tests');

function encrypted(plain: string): { dir: string; identity: string; ref: SecretRef } {
  const dir = tempTree({});
  dirs.push(dir);
  const identity = join(dir, 'age.key');
  spawnSync('age-keygen', ['-o', identity]);
  const recipient = spawnSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).stdout.trim();
  const file = join(dir, 'app.env.age');
  const r = spawnSync('age', ['-r', recipient, '-o', file], { input: plain });
  assert.equal(r.status, 0);
  return { dir, identity, ref: { name: 'app', vars: ['DB_PASSWORD'], file, span: { file, line: 1, col: 1, endLine: 1, endCol: 1 } } };
}

describe('secrets', { skip: !haveAge && 'age is absent' }, () => {
  it('decrypts a dotenv file into memory and fills the placeholders', async () => {
    const { identity, ref } = encrypted('DB_PASSWORD=\'s3cr$t "x"\'\nOTHER=2\n');
    const values = await decryptSecrets([ref], identity);
    assert.equal(values.get('app')!.get('DB_PASSWORD'), 's3cr$t "x"');
    assert.equal(substituteSecrets('postgres://u:<secret app.DB_PASSWORD>@db', values), 'postgres://u:s3cr$t "x"@db');
    assert.equal(secretEnvText({ URL: '<secret app.OTHER>/x' }, values), 'URL=2/x\n');
    assert.throws(() => substituteSecrets('<secret app.NOPE>', values), (e: Error) => e instanceof RunError && /secret app does not define NOPE/.test(e.message));
    assert.throws(() => secretEnvText({ K: '<secret app.DB_PASSWORD>\nmore' }, values), /spans lines/);
  });

  it('fails with one clear line for a wrong key, a missing key or a missing file, and never shows a value', async () => {
    const { dir, ref } = encrypted('DB_PASSWORD=hunter2\n');
    const other = encrypted('X=1\n');
    await assert.rejects(decryptSecrets([ref], other.identity), (e: Error) => e instanceof RunError && /could not decrypt secret app: `age --decrypt/.test(e.message) && !e.message.includes('hunter2'));
    await assert.rejects(decryptSecrets([ref], join(dir, 'missing.key')), /the age identity .*missing\.key does not exist/);
    await assert.rejects(decryptSecrets([{ ...ref, file: join(dir, 'gone.env.age') }], other.identity), /gone\.env\.age does not exist/);
  });
});

describe('where secrets go', () => {
  it('finds placeholders at any depth', () => {
    assert.equal(hasSecret({ a: ['x', { b: 'pre <secret db.PW> post' }] }), true);
    assert.equal(hasSecret({ a: '<secret nope>' }), false);
  });

  it('writes the env file 0600 in the runtime dir only for the moment it is needed', async () => {
    const dir = tempTree({});
    dirs.push(dir);
    const file = secretEnvPath(dir, 'shop', 'db');
    assert.equal(file, `${dir}/berth/secrets/shop/services/db.env`);
    const seen = await withSecretEnvFile(file, 'PW=x\n', async () => ({ text: readFileSync(file, 'utf8'), mode: statSync(file).mode & 0o777, dirMode: statSync(join(dir, 'berth')).mode & 0o777 }));
    assert.deepEqual(seen, { text: 'PW=x\n', mode: 0o600, dirMode: 0o700 });
    assert.equal(existsSync(file), false);
    await assert.rejects(withSecretEnvFile(file, 'PW=x\n', () => Promise.reject(new Error('create failed'))), /create failed/);
    assert.equal(existsSync(file), false);
  });

  it('looks for the identity where berth.yml says, else in ~/.config/berth', () => {
    assert.equal(identityFile(undefined, '/repo', '/home/u'), '/home/u/.config/berth/age.key');
    assert.equal(identityFile('~/keys/age.txt', '/repo', '/home/u'), '/home/u/keys/age.txt');
    assert.equal(identityFile('keys/age.txt', '/repo', '/home/u'), '/repo/keys/age.txt');
  });
});

describe('what a run leaves behind', () => {
  it('an interrupt removes the decrypted env file written for create, reports what was touched, and exits 130', async () => {
    const dir = tempTree({});
    dirs.push(dir);
    const file = join(dir, 'run/berth/secrets/shop/services/db.env');
    const lines: string[] = [];
    let code: number | undefined;
    const unhandle = handleInterrupts((t) => lines.push(t), ((c: number) => {
      code = c;
      throw new Error('exited');
    }) as (c: number) => never);
    activity.set('shop-db', 'creating');
    try {
      await withSecretEnvFile(file, 'K=v\n', async () => {
        assert.ok(existsSync(file));
        assert.throws(() => process.emit('SIGINT', 'SIGINT'), /exited/);
        // The interrupt ran while create was under way, not after it.
        assert.equal(existsSync(file), false);
      });
    } finally {
      unhandle();
      activity.clear();
    }
    assert.equal(code, 130);
    assert.match(lines[0]!, /^interrupted \(SIGINT\): decrypted env files removed; left as they are: shop-db \(creating\)/);
  });

  it('one run per stack: a second lock names the pid holding it, a stale lock is taken over', () => {
    const dir = tempTree({});
    dirs.push(dir);
    const release = lockStack(dir, 'shop', 'up');
    assert.throws(() => lockStack(dir, 'shop', 'up'), (e: Error) => e instanceof RunError && e.message === `another berth up of shop is running (pid ${process.pid}); wait for it, or stop it`);
    release();
    writeFileSync(join(dir, 'berth/locks/shop.lock'), '999999999 up\n');
    lockStack(dir, 'shop', 'up')();
    assert.equal(existsSync(join(dir, 'berth/locks/shop.lock')), false);
  });

  it('a runtime dir that is not a directory is one clear error naming the path, not a stack trace', async () => {
    const dir = tempTree({ 'not-a-dir': 'x\n', 'run/berth/secrets': 'a file\n' });
    dirs.push(dir);
    assert.throws(() => lockStack(join(dir, 'not-a-dir'), 'shop', 'up'), (e: Error) => e instanceof RunError && e.message.includes(`${dir}/not-a-dir/berth/locks`) && /XDG_RUNTIME_DIR/.test(e.message));
    const file = secretEnvPath(join(dir, 'run'), 'shop', 'db');
    let ran = false;
    await assert.rejects(
      withSecretEnvFile(file, 'K=v\n', async () => {
        ran = true;
      }),
      (e: Error) => e instanceof RunError && e.message.startsWith(`could not write the secret env file ${file}:`),
    );
    assert.equal(ran, false);
  });

  it('masks every decrypted value in text berth prints, JSON-quoted ones too', () => {
    const values = new Map([['app', new Map([['PW', 's3cr"t'], ['SHORT', 'x']])]]);
    assert.equal(maskSecrets(`log: password s3cr"t and ${JSON.stringify('s3cr"t')} x`, values), 'log: password *** and "***" x');
  });
});
