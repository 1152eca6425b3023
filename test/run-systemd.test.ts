import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { installedUnit } from '../src/run/systemd.js';
import { baseRepo, berth, removeTree, tempTree } from './helpers.js';

/** Where berth's units are installed, up/down/restart drive systemd; where they are not, or systemd does not answer, the engine. */
const dirs: string[] = [];
after(() => dirs.forEach(removeTree));

describe('systemd handles', () => {
  it('finds the stack unit of either mode from the files in the user\'s unit folders', () => {
    const home = tempTree({
      '.config/containers/systemd/shop-web.container': '[Container]\nImage=x\n',
      '.config/containers/systemd/berth-shop.target': '[Unit]\n',
      '.config/systemd/user/berth-notes.service': '[Service]\nExecStart=/bin/true\n',
      '.config/systemd/user/berth-media.target': '[Unit]\n',
      // Stack media-server's files: not stack media's, nor stack media-server's without its target.
      '.config/containers/systemd/media-server-web.container': '[Container]\nImage=x\n',
    });
    dirs.push(home);
    assert.deepEqual(installedUnit('shop', home), { unit: 'berth-shop.target', mode: 'quadlet' });
    assert.deepEqual(installedUnit('media', home), { unit: 'berth-media.target', mode: 'quadlet' });
    assert.deepEqual(installedUnit('notes', home), { unit: 'berth-notes.service', mode: 'compose' });
    assert.equal(installedUnit('sho', home), undefined);
    assert.equal(installedUnit('media-server', home), undefined);
    const other = tempTree({ '.config/containers/systemd/media-server-web.container': '[Container]\nImage=x\n' });
    dirs.push(other);
    assert.equal(installedUnit('media', other), undefined);
  });

  it('says so and runs directly on the engine when the units are installed but systemd cannot drive them', () => {
    const home = tempTree({ '.config/systemd/user/berth-web.service': '[Service]\nExecStart=/bin/true\n' });
    const repo = tempTree(baseRepo());
    // A PATH with systemctl and no engine: the direct run fails at once; the warning before it is what is tested.
    const bin = tempTree({});
    dirs.push(home, repo, bin);
    const systemctl = spawnSync('sh', ['-c', 'command -v systemctl'], { encoding: 'utf8' }).stdout.trim();
    if (systemctl) symlinkSync(systemctl, join(bin, 'systemctl'));
    const r = berth(['up', 'web', '--repo', repo], { env: { HOME: home, PATH: bin, XDG_RUNTIME_DIR: join(home, 'run') } });
    assert.doesNotMatch(r.stdout, /\(systemd\)/, 'the runtime dir is made up: no user manager can answer there');
    assert.match(r.stderr, /warning: berth-web\.service is installed,? but (systemctl --user does not answer|not loaded).*running web directly on the engine/);
    assert.match(r.stderr, /error: web: podman is not installed/);
    assert.equal(r.code, 1);
  });
});
