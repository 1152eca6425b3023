import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRepo } from '../src/config/load-repo.js';
import { untilHours } from '../src/render/host/timers.js';
import { FileSource } from '../src/source/files.js';
import { baseRepo, has, removeTree, skipWithNotice, tempTree } from './helpers.js';
import { EXAMPLE, load, renderOwn, values, verifyUnavailable, verifyUserUnits, writeArtifacts } from './render-host-kit.js';

const UNITS = 'home/homelab/.config/systemd/user';
const PREREQ = 'etc/berth/prerequisites.sh';

function asRoot(t: { skip(msg: string): void }): boolean {
  if (process.getuid?.() === 0) return true;
  skipWithNotice(t, 'prerequisites.sh runs as root only (CI runs the tests as root)');
  return false;
}

/** Runs steps of a rendered prerequisites.sh with /etc/subuid and /etc/subgid replaced by copies. */
function prerequisites(script: string, steps: string[], files: { subuid: string; subgid: string }) {
  const r = spawnSync('sh', [script, ...steps], { env: { ...process.env, BERTH_SUBUID_FILE: files.subuid, BERTH_SUBGID_FILE: files.subgid }, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('every unit rendered for the example, both modes, both hosts, passes systemd-analyze verify; a broken one does not', (t) => {
  const why = verifyUnavailable();
  if (why) return skipWithNotice(t, why);
  const dir = tempTree({});
  try {
    const repo = load(EXAMPLE);
    for (const mode of ['quadlet', 'compose'] as const) {
      for (const host of ['doc1', 'media1']) {
        const r = renderOwn(repo, host, mode);
        const root = join(dir, mode, host);
        writeArtifacts(root, r.artifacts);
        const units = r.artifacts.filter((a) => a.path.startsWith(`${UNITS}/`) && /\.(service|timer|socket|target)$/.test(a.path)).map((a) => a.path.slice(UNITS.length + 1));
        const kinds = new Set(units.map((u) => u.slice(u.lastIndexOf('.'))));
        assert.deepEqual([...kinds].sort(), mode === 'quadlet' ? ['.service', '.target', '.timer'] : ['.service', '.timer'], `${mode}/${host}: ${units.join(', ')}`);
        const v = verifyUserUnits(root, 'homelab', units);
        assert.equal(v.output, '', `${mode}/${host}: systemd-analyze verify:\n${v.output}`);
        assert.equal(v.status, 0);
      }
    }
    // The check is real: a misspelt key, a bad calendar, a missing program each fail it.
    const broken = join(dir, 'compose', 'doc1');
    const unitDir = join(broken, UNITS);
    writeFileSync(join(unitDir, 'berth-broken.service'), '[Unit]\nDescription=broken\n\n[Service]\nType=oneshot\nExecStart=/usr/bin/true\nRemainAfterExitt=yes\n');
    writeFileSync(join(unitDir, 'berth-broken.timer'), '[Unit]\nDescription=broken\n\n[Timer]\nOnCalendar=every tuesday-ish\n');
    writeFileSync(join(unitDir, 'berth-missing.service'), '[Service]\nType=oneshot\nExecStart=/home/homelab/.local/share/berth/bin/not-rendered\n');
    for (const [unit, complaint] of [
      ['berth-broken.service', /Unknown key 'RemainAfterExitt'/],
      ['berth-broken.timer', /OnCalendar|calendar/i],
      ['berth-missing.service', /not-rendered.*(not executable|No such file)/],
    ] as const) {
      const v = verifyUserUnits(broken, 'homelab', [unit]);
      assert.match(v.output, complaint, unit);
    }
  } finally {
    removeTree(dir);
  }
});

test('the stack target in Quadlet mode: a handle the containers hang on, wanted by default.target', () => {
  const r = renderOwn(load(EXAMPLE), 'doc1', 'quadlet');
  const target = r.file(`${UNITS}/berth-immich.target`);
  assert.deepEqual(values(target, 'Description'), ['berth stack immich: Photo library (Immich)']);
  assert.deepEqual(values(target, 'WantedBy'), ['default.target']);
  assert.deepEqual(values(target, 'After'), [], 'a user manager cannot order on network-online.target');
  assert.ok(!r.artifacts.some((a) => a.path.endsWith('berth-immich.service')), 'Quadlet mode has no compose unit');
});

test('timers: berth-* names, daily auto-update (podman auto-update, or a reload of each compose stack), weekly prune of what is older than maxAge, never volumes', () => {
  const repo = load(EXAMPLE);
  const quadlet = renderOwn(repo, 'doc1', 'quadlet');
  assert.deepEqual(values(quadlet.file(`${UNITS}/berth-auto-update.service`), 'ExecStart'), ['/usr/bin/podman auto-update']);
  const timer = quadlet.file(`${UNITS}/berth-auto-update.timer`);
  assert.deepEqual(values(timer, 'OnCalendar'), ['daily']);
  assert.deepEqual(values(timer, 'Persistent'), ['yes']);
  assert.deepEqual(values(timer, 'WantedBy'), ['timers.target']);
  assert.ok(Number(values(timer, 'RandomizedDelaySec')[0]) > 0);
  const prune = values(quadlet.file(`${UNITS}/berth-prune.service`), 'ExecStart');
  assert.deepEqual(prune, ['/usr/bin/podman container prune --force --filter until=168h', '/usr/bin/podman image prune --force']);
  assert.doesNotMatch(prune.join('\n'), /--volumes|system prune|network|--all/);
  assert.deepEqual(values(quadlet.file(`${UNITS}/berth-prune.timer`), 'OnCalendar'), ['weekly']);
  // Nothing named like the distribution's units (podman-auto-update.timer) or the seed's clash (podman-prune).
  for (const a of quadlet.artifacts.filter((x) => x.path.startsWith(`${UNITS}/`))) assert.match(a.path, /\/berth-[^/]+$/);

  const compose = renderOwn(repo, 'media1', 'compose');
  assert.deepEqual(values(compose.file(`${UNITS}/berth-auto-update.service`), 'ExecStart'), ['/usr/bin/systemctl --user try-reload-or-restart berth-downloads.service berth-jellyfin.service berth-management.service']);

  assert.equal(untilHours('7d'), '168h');
  assert.equal(untilHours('12h'), '12h');
  assert.equal(untilHours('30m'), '30m');
});

test('timers follow berth.yml: schedules, maxAge, switched off', () => {
  const dir = tempTree(baseRepo({ 'berth.yml': 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\nautoUpdate: { enabled: false }\nprune: { schedule: "Sun *-*-* 03:00", maxAge: 2d }\n' }));
  try {
    const r = renderOwn(load(dir), 'doc1', 'quadlet');
    assert.ok(!r.artifacts.some((a) => a.path.includes('berth-auto-update')));
    assert.deepEqual(values(r.file(`${UNITS}/berth-prune.timer`), 'OnCalendar'), ['Sun *-*-* 03:00']);
    assert.match(values(r.file(`${UNITS}/berth-prune.service`), 'ExecStart')[0]!, /container prune .*until=48h$/);
  } finally {
    removeTree(dir);
  }
});

const FIREWALL = 'etc/berth/firewall.nft';

/** The ruleset the firewall file's header shows, uncommented, including `file`. */
function headerExample(text: string, file: string): string {
  const lines = text.split('\n');
  const from = lines.findIndex((l) => /^#\s+table inet filter \{$/.test(l));
  const to = lines.findIndex((l, i) => i > from && /^#\s+\}$/.test(l) && !/^#\s{4,}/.test(l));
  assert.ok(from > 0 && to > from, 'the header shows a ruleset');
  return lines.slice(from, to + 1).map((l) => l.replace(/^# {3}/, '').replace('"/etc/berth/firewall.nft"', JSON.stringify(file))).join('\n') + '\n';
}

test('schedules systemd would refuse are errors at validate, at the value; the forms berth.yml documents pass', () => {
  const dir = tempTree(baseRepo({ 'berth.yml': 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\nautoUpdate: { schedule: every day }\nprune:\n  schedule: "daily; rm -rf /"\n' }));
  try {
    const errors = loadRepo(dir, new FileSource()).diagnostics.filter((d) => d.code === 'SCHEDULE_INVALID');
    assert.deepEqual(errors.map((e) => `${e.severity} ${e.span.line}:${e.span.col} ${e.message}`), [
      'error 4:25 autoUpdate.schedule "every day" is not a systemd calendar expression: "every" is not a weekday, a date (YYYY-MM-DD), a time (HH:MM) or one of minutely, hourly, daily, monthly, weekly, yearly, annually, quarterly, semiannually',
      'error 6:13 prune.schedule "daily; rm -rf /" is not a systemd calendar expression: "daily;" is not a weekday, a date (YYYY-MM-DD), a time (HH:MM) or one of minutely, hourly, daily, monthly, weekly, yearly, annually, quarterly, semiannually',
    ]);
    assert.match(errors[0]!.hint ?? '', /systemd-analyze calendar/);
    for (const schedule of ['daily', 'weekly', 'Sun *-*-* 03:00', 'Mon..Fri 04:30', '*-*-01 02:00 UTC']) {
      writeFileSync(join(dir, 'berth.yml'), `user: homelab\nroots:\n  DATA_ROOT: /srv/data\nprune: { schedule: "${schedule}" }\n`);
      assert.deepEqual(loadRepo(dir, new FileSource()).diagnostics.filter((d) => d.severity === 'error'), [], schedule);
    }
  } finally {
    removeTree(dir);
  }
});

test('the prune commands leave networks and tagged images alone, and remove old stopped containers and untagged images (real Podman, a store of its own)', (t) => {
  if (!has('podman')) return skipWithNotice(t, 'podman is missing (.ci/testbed installs it)');
  if (process.getuid?.() !== 0) return skipWithNotice(t, 'a Podman store of its own needs root here (CI runs the tests as root)');
  if (!existsSync('/bin/busybox')) return skipWithNotice(t, 'busybox-static is missing (.ci/testbed installs it)');
  const repoDir = tempTree(baseRepo({ 'berth.yml': 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\nprune: { maxAge: 3s }\n' }));
  const dir = tempTree({});
  try {
    const rendered = values(renderOwn(load(repoDir), 'doc1', 'quadlet').file(`${UNITS}/berth-prune.service`), 'ExecStart').map((l) => l.split(' '));
    // Everything in a store, a network folder and a run dir of the test's own: nothing else is pruned.
    const podman = (args: string[], input?: Buffer) =>
      spawnSync('podman', ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--tmpdir', join(dir, 'tmp'), '--network-config-dir', join(dir, 'net'), '--storage-driver', 'vfs', '--events-backend', 'file', ...args], { input, encoding: 'utf8', timeout: 120_000 });
    const image = (name: string) => {
      const rootfs = join(dir, `rootfs-${name}`);
      mkdirSync(join(rootfs, 'bin'), { recursive: true });
      spawnSync('cp', ['/bin/busybox', join(rootfs, 'bin/busybox')]);
      writeFileSync(join(rootfs, 'name'), name);
      const made = podman(['import', '-q', '-', `localhost/${name}:1`], spawnSync('tar', ['-C', rootfs, '-c', '.'], { maxBuffer: 64 << 20 }).stdout);
      assert.equal(made.status, 0, made.stderr);
      return made.stdout.trim();
    };
    const exists = (...args: string[]) => podman(args).status === 0;
    image('tagged');
    const dangling = image('dangling');
    const used = image('used');
    assert.equal(podman(['network', 'create', 'stack-net']).status, 0);
    assert.equal(podman(['create', '--name', 'old', 'localhost/tagged:1', '/bin/busybox', 'true']).status, 0);
    spawnSync('sleep', ['4']);
    assert.equal(podman(['create', '--name', 'fresh', 'localhost/used:1', '/bin/busybox', 'true']).status, 0);
    // An update or a rebuild leaves the old image without its tag.
    assert.equal(podman(['untag', dangling]).status, 0);
    assert.equal(podman(['untag', used]).status, 0);

    for (const argv of rendered) {
      assert.equal(argv[0], '/usr/bin/podman');
      const run = podman(argv.slice(1));
      assert.equal(run.status, 0, `${argv.join(' ')}: ${run.stderr}`);
    }
    assert.ok(exists('network', 'exists', 'stack-net'), 'a network a stopped stack will need again');
    assert.ok(exists('image', 'exists', 'localhost/tagged:1'), 'a tagged image a stopped stack will start again');
    assert.ok(exists('container', 'exists', 'fresh'), 'a container younger than maxAge');
    assert.ok(exists('image', 'exists', used), 'an untagged image a container still uses');
    assert.ok(!exists('container', 'exists', 'old'), 'a stopped container older than maxAge');
    assert.ok(!exists('image', 'exists', dangling), 'an untagged image nothing uses');

    // The check is real: what berth ran before removes the network and the tagged image.
    assert.equal(podman(['system', 'prune', '--all', '--force', '--filter', 'until=3s']).status, 0);
    assert.ok(!exists('network', 'exists', 'stack-net') && !exists('image', 'exists', 'localhost/tagged:1'));
  } finally {
    removeTree(dir);
    removeTree(repoDir);
  }
});

test('firewall: the chain berth_input, a commented rule per stack and protocol, sorted, outside /etc/nftables.d', () => {
  const repo = load(EXAMPLE);
  const doc1 = renderOwn(repo, 'doc1', 'compose');
  assert.ok(!doc1.artifacts.some((a) => a.path.startsWith('etc/nftables.d/')), 'a bare chain in /etc/nftables.d would break rulesets that include that folder at top level');
  const text = doc1.file(FIREWALL);
  assert.match(text, /^chain berth_input \{$/m);
  assert.doesNotMatch(text, /^table /m, 'no table of its own: its accepts would open nothing another table drops');
  const rules = text.split('\n').filter((l) => /dport/.test(l) && !l.startsWith('#')).map((l) => l.trim());
  assert.deepEqual(rules, [
    'tcp dport 7007 accept comment "stack management"',
    'tcp dport { 8080, 8443 } accept comment "stack proxy"',
    'udp dport 8443 accept comment "stack proxy"',
  ]);
  const media1 = renderOwn(repo, 'media1', 'compose').file(FIREWALL);
  assert.match(media1, /tcp dport \{ 6881, 8080, 9696 \} accept comment "stack downloads"/);
  assert.match(media1, /udp dport 7359 accept comment "stack jellyfin"/);
  // The example declares exactly what it publishes on all addresses.
  for (const host of ['doc1', 'media1']) assert.deepEqual(renderOwn(repo, host, 'compose').notes.filter((n) => n.key === 'ports' || n.key === 'firewall'), []);
});

test('firewall: included as its header says, the chain opens the declared ports of a host that drops everything else (real nftables, own network namespace)', (t) => {
  if (!has('nft') || !has('unshare')) return skipWithNotice(t, 'nft or unshare is missing (.ci/testbed installs nftables)');
  if (process.getuid?.() !== 0) return skipWithNotice(t, 'nft -c and network namespaces need root (CI runs the tests as root)');
  const text = renderOwn(load(EXAMPLE), 'doc1', 'compose').file(FIREWALL);
  const dir = tempTree({ 'firewall.nft': text, 'bad.nft': text.replace('accept comment', 'acept comment') });
  try {
    const ruleset = headerExample(text, join(dir, 'firewall.nft'));
    assert.match(ruleset, /policy drop;[\s\S]*jump berth_input/);
    writeFileSync(join(dir, 'ruleset.nft'), `flush ruleset\n${ruleset}`);
    writeFileSync(join(dir, 'no-jump.nft'), `flush ruleset\n${ruleset.replace(/^\s*jump berth_input\n/m, '')}`);
    writeFileSync(join(dir, 'bad-ruleset.nft'), `flush ruleset\n${ruleset.replace(join(dir, 'firewall.nft'), join(dir, 'bad.nft'))}`);
    const check = spawnSync('nft', ['-c', '-f', join(dir, 'ruleset.nft')], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    assert.notEqual(spawnSync('nft', ['-c', '-f', join(dir, 'bad-ruleset.nft')]).status, 0, 'nft -c checks for real');
    assert.notEqual(spawnSync('nft', ['-c', '-f', join(dir, 'firewall.nft')]).status, 0, 'the file alone is not a ruleset: it goes inside a table');

    // In a network namespace of its own (the machine's firewall is not touched): a server on a
    // declared port (7007, stack management) and one on an undeclared port, each tried over loopback.
    const probe = `set -e
ip link set lo up
nft -f "$1"
for port in 7007 7010; do busybox nc -l -p $port -e /bin/echo open >/dev/null 2>&1 & done
sleep 0.5
for port in 7007 7010; do
  if out=$(busybox timeout 2 busybox nc 127.0.0.1 $port </dev/null 2>/dev/null) && [ "$out" = open ]; then echo "$port open"; else echo "$port closed"; fi
done
kill $(jobs -p) 2>/dev/null || true`;
    const run = (ruleset: string) => spawnSync('unshare', ['--net', 'sh', '-c', probe, 'sh', ruleset], { encoding: 'utf8', timeout: 30_000 });
    const jumped = run(join(dir, 'ruleset.nft'));
    assert.equal(jumped.stdout.trim(), '7007 open\n7010 closed', jumped.stderr);
    const without = run(join(dir, 'no-jump.nft'));
    assert.equal(without.stdout.trim(), '7007 closed\n7010 closed', 'without the jump the drop policy closes everything: the jump is what opens 7007');
  } finally {
    removeTree(dir);
  }
});

test('firewall notes: a port published on all addresses that no declaration opens, and a declaration nothing publishes', () => {
  const dir = tempTree(
    baseRepo({
      'stacks/web/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    ports: ["8080:80", "127.0.0.1:9000:9000", "5353:5353/udp"]\n',
      'stacks/web/stack.yml': 'firewall: { tcp: [8080, 9000, 9443], udp: [] }\n',
    }),
  );
  try {
    const notes = renderOwn(load(dir), 'doc1', 'quadlet').notes.filter((n) => n.stack === 'web' && (n.key === 'ports' || n.key === 'firewall'));
    const text = notes.map((n) => `${n.key}|${n.service ?? ''}|${n.fidelity}|${n.message}`);
    assert.equal(text.length, 3, text.join('\n'));
    assert.match(text[0]!, /^ports\|web\|approximated\|publishes 0\.0\.0\.0:5353\/udp on all addresses, but stack\.yml's firewall does not open it/);
    assert.match(text[1]!, /^firewall\|\|approximated\|firewall opens 9000\/tcp .* loopback address only/);
    assert.match(text[2]!, /^firewall\|\|approximated\|firewall opens 9443\/tcp .* no service of the stack publishes it/);
  } finally {
    removeTree(dir);
  }
});

/** A Caddyfile as data: site → its directives, without comments, indentation or blank lines. */
function caddySites(text: string): Map<string, string[]> {
  const sites = new Map<string, string[]>();
  let site: string | undefined;
  let depth = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    if (depth === 0 && line.endsWith('{')) {
      site = line.slice(0, -1).trim();
      sites.set(site, []);
    } else if (!(depth === 1 && line === '}') && site !== undefined) {
      sites.get(site)!.push(line);
    }
    depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
    assert.ok(depth >= 0, 'braces balance');
  }
  assert.equal(depth, 0, 'braces balance');
  return sites;
}

/** The example's proxy configuration as it was written by hand before berth rendered it. */
const HAND_WRITTEN_CADDYFILE = `{
	email admin@example.org
}

# stacks/immich
photos.example.org {
	reverse_proxy host.loopback:2283
}

# stacks/paperless
docs.example.org {
	reverse_proxy host.loopback:8000
}

# stacks/uptime
status.example.org {
	reverse_proxy host.loopback:3001
}

# stacks/management (Dozzle UI): container logs can hold secrets, so LAN clients only.
logs.example.org {
	@outside not remote_ip private_ranges
	respond @outside 403
	reverse_proxy host.loopback:8081
}

# stacks/jellyfin runs on media1; its port is open to the LAN.
media.example.org {
	reverse_proxy media1.lan:8096
}
`;

test('the Caddyfile for the host that runs the proxy routes what the hand-written one does, media1 included', () => {
  const repo = load(EXAMPLE);
  const rendered = renderOwn(repo, 'doc1', 'compose').file('home/homelab/.local/share/berth/proxy/Caddyfile');
  const byHand = HAND_WRITTEN_CADDYFILE;
  const ours = caddySites(rendered);
  const theirs = caddySites(byHand);
  assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort());
  for (const [site, lines] of theirs) assert.deepEqual(ours.get(site), lines, site);
  assert.deepEqual(ours.get(''), ['email admin@example.org'], 'global options');
  // Deterministic order: global options, then sites by name.
  assert.deepEqual([...ours.keys()], ['', 'docs.example.org', 'logs.example.org', 'media.example.org', 'photos.example.org', 'status.example.org']);
  // media1 runs no proxy: doc1's serves its entries.
  assert.ok(!renderOwn(repo, 'media1', 'compose').artifacts.some((a) => a.path.endsWith('/Caddyfile') && a.path.includes('/berth/proxy/')));
});

test('Caddyfile: paths, LAN-only routes, duplicates and unreachable ports', () => {
  const dir = tempTree({
    'berth.yml': 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\n',
    'hosts.yml': 'hosts:\n  doc1:\n    address: admin@doc1.lan\n    stacks: [proxy, app]\n  box:\n    address: box.lan\n    stacks: [api, hidden]\n',
    // pasta keeps client addresses, so lanOnly routes can be told apart (see the lanOnly test).
    'stacks/proxy/compose.yml': 'services:\n  caddy:\n    image: docker.io/library/caddy:2.10\n    network_mode: pasta\n    ports: ["8443:443"]\n',
    'stacks/app/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    ports: ["127.0.0.1:8081:80"]\n',
    'stacks/app/stack.yml': 'proxy:\n  - { host: example.org, port: 80 }\n  - { host: example.org, path: /admin, port: 80, lanOnly: true }\n',
    'stacks/api/compose.yml': 'services:\n  api:\n    image: docker.io/library/nginx:1.27\n    ports: ["9000:9000"]\n',
    'stacks/api/stack.yml': 'proxy:\n  - { host: example.org, path: /api/, port: 9000 }\n  - { host: example.org, port: 9000 }\n',
    'stacks/hidden/compose.yml': 'services:\n  h:\n    image: docker.io/library/nginx:1.27\n    ports: ["127.0.0.1:7000:7000"]\n',
    'stacks/hidden/stack.yml': 'proxy:\n  - { host: hidden.example.org, port: 7000 }\n',
  });
  try {
    const r = renderOwn(load(dir), 'doc1', 'compose');
    const text = r.file('home/homelab/.local/share/berth/proxy/Caddyfile');
    const site = caddySites(text).get('example.org');
    assert.deepEqual(site, [
      '@outside not remote_ip private_ranges',
      '@path1 path /admin /admin/*',
      '@path2 path /api/ /api/*',
      'handle @path1 {',
      'respond @outside 403',
      'reverse_proxy 127.0.0.1:8081',
      '}',
      'handle @path2 {',
      'reverse_proxy box.lan:9000',
      '}',
      'handle {',
      'reverse_proxy 127.0.0.1:8081',
      '}',
    ]);
    assert.ok(!caddySites(text).has('hidden.example.org'));
    const notes = r.notes.filter((n) => n.key === 'proxy').map((n) => `${n.stack}: ${n.message}`);
    assert.deepEqual(notes.length, 2, notes.join('\n'));
    assert.match(notes[0]!, /^api: example\.org: already routed to stack app on doc1/);
    assert.match(notes[1]!, /^hidden: hidden\.example\.org: published on 127\.0\.0\.1 on box, so the proxy on another host cannot reach it/);
  } finally {
    removeTree(dir);
  }
});

test('lanOnly: a proxy whose port forwarding hides client addresses gets no lanOnly route, with a note, and validate warns', () => {
  const proxyWith = (networkMode: string | undefined) =>
    `services:\n  caddy:\n    image: docker.io/library/caddy:2.10\n${networkMode === undefined ? '' : `    network_mode: "${networkMode}"\n`}${networkMode === 'host' ? '' : '    ports: ["8443:443"]\n'}`;
  const files = (networkMode: string | undefined, engine = 'podman', withProxy = true) => ({
    'berth.yml': `engine: ${engine}\nuser: homelab\nroots:\n  DATA_ROOT: /srv/data\n`,
    'hosts.yml': `hosts:\n  doc1:\n    address: doc1.lan\n    stacks: [${withProxy ? 'proxy, ' : ''}logs]\n  box:\n    address: box.lan\n    stacks: [admin]\n`,
    ...(withProxy ? { 'stacks/proxy/compose.yml': proxyWith(networkMode) } : {}),
    'stacks/logs/compose.yml': 'services:\n  ui:\n    image: docker.io/amir20/dozzle:v8.0.0\n    ports: ["127.0.0.1:8081:8080"]\n',
    'stacks/logs/stack.yml': 'proxy:\n  - { host: public.example.org, port: 8080 }\n  - { host: logs.example.org, port: 8080, lanOnly: true }\n',
    'stacks/admin/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    ports: ["9000:80"]\n',
    'stacks/admin/stack.yml': 'firewall: { tcp: [9000] }\nproxy:\n  - { host: admin.example.org, port: 80, lanOnly: true }\n',
  });
  const cases: { name: string; networkMode?: string; engine?: string; withProxy?: boolean; safe: boolean; why?: RegExp }[] = [
    { name: 'the project network (bridge)', safe: false, why: /from the project's network, a bridge network, whose rootless forwarder \(rootlessport\) gives every client a private address/ },
    { name: 'slirp4netns, default port handler', networkMode: 'slirp4netns:allow_host_loopback=true', safe: false, why: /network_mode slirp4netns:allow_host_loopback=true, whose default port handler \(rootlesskit\) gives every client the address 10\.0\.2\.100/ },
    { name: 'rootless Docker', networkMode: 'slirp4netns:port_handler=slirp4netns', engine: 'docker', safe: false, why: /rootless Docker forwards published ports through RootlessKit/ },
    { name: 'slirp4netns, port_handler=slirp4netns', networkMode: 'slirp4netns:allow_host_loopback=true,port_handler=slirp4netns', safe: true },
    { name: 'pasta', networkMode: 'pasta:--map-host-loopback,169.254.1.3', safe: true },
    { name: "the host's network", networkMode: 'host', safe: true },
    { name: 'no proxy stack: a proxy on the host itself', withProxy: false, safe: true },
  ];
  for (const c of cases) {
    const dir = tempTree(files(c.networkMode, c.engine, c.withProxy));
    try {
      const loaded = loadRepo(dir, new FileSource());
      const warnings = loaded.diagnostics.filter((d) => d.code === 'PROXY_LAN_ONLY_UNSAFE');
      const r = renderOwn(loaded.repo!, 'doc1', 'quadlet');
      const sites = caddySites(r.file('home/homelab/.local/share/berth/proxy/Caddyfile'));
      const refused = r.notes.filter((n) => n.key === 'proxy' && n.fidelity === 'refused');
      assert.ok(sites.has('public.example.org'), `${c.name}: routes without lanOnly are unaffected`);
      if (c.safe) {
        assert.deepEqual(warnings, [], c.name);
        assert.deepEqual(refused, [], c.name);
        assert.deepEqual(sites.get('logs.example.org')?.slice(0, 2), ['@outside not remote_ip private_ranges', 'respond @outside 403'], c.name);
        if (c.withProxy !== false) assert.ok(sites.has('admin.example.org'), c.name);
        continue;
      }
      assert.ok(!sites.has('logs.example.org') && !sites.has('admin.example.org'), `${c.name}: no lanOnly route that would let everyone in`);
      // The local stack's routes, then those of hosts without a proxy, as the Caddyfile takes them.
      assert.deepEqual(refused.map((n) => `${n.stack}: ${n.message.slice(0, n.message.indexOf(':'))}`), ['logs: logs.example.org', 'admin: admin.example.org'], c.name);
      for (const n of refused) assert.match(n.message, c.why!, c.name);
      assert.match(refused[0]!.message, /Route left out: give the proxy network_mode "slirp4netns:port_handler=slirp4netns"/);
      // validate says it before render: at each lanOnly entry, the other host's included.
      assert.deepEqual(warnings.map((w) => `${w.severity} ${w.span.file.slice(dir.length + 1)}:${w.span.line}`).sort(), ['warning stacks/admin/stack.yml:3', 'warning stacks/logs/stack.yml:3'], c.name);
      assert.match(warnings[0]!.message, /is lanOnly, but the proxy on doc1 cannot see client addresses: .*berth render leaves this route out/);
      assert.match(warnings[0]!.message, c.why!, c.name);
    } finally {
      removeTree(dir);
    }
  }
  // The example's proxy keeps client addresses, so its lanOnly logs route stands (see the Caddyfile test above).
  assert.deepEqual(loadRepo(EXAMPLE, new FileSource()).diagnostics.filter((d) => d.code === 'PROXY_LAN_ONLY_UNSAFE'), []);
});

test('monitors.json: every stack of every host, with stack and host, sorted, the same on each host', () => {
  const repo = load(EXAMPLE);
  const doc1 = renderOwn(repo, 'doc1', 'quadlet').file('home/homelab/.local/share/berth/monitors.json');
  const media1 = renderOwn(repo, 'media1', 'compose').file('home/homelab/.local/share/berth/monitors.json');
  assert.equal(doc1, media1);
  const list = JSON.parse(doc1) as { host: string; stack: string; name: string; url: string; accept: string[]; interval?: string }[];
  assert.deepEqual(
    list.map((m) => `${m.host}/${m.stack}/${m.name}`),
    ['doc1/immich/Immich', 'doc1/paperless/Paperless', 'doc1/proxy/Proxy (HTTPS)', 'media1/downloads/qBittorrent', 'media1/jellyfin/Jellyfin'],
  );
  assert.deepEqual(list[0], { host: 'doc1', stack: 'immich', name: 'Immich', url: 'https://photos.example.org/api/server/ping', accept: ['200-299'], interval: '60s' });
});

test('prerequisites.sh: valid sh, the subuid range added once, refused when it would overlap another user', (t) => {
  const script = renderOwn(load(EXAMPLE), 'media1', 'quadlet').file(PREREQ);
  assert.equal(spawnSync('sh', ['-n'], { input: script }).status, 0);
  assert.match(script, /^sub_start=100000\nsub_count=65536$/m);
  if (!asRoot(t)) return;
  const dir = tempTree({ 'prerequisites.sh': script, subuid: 'alice:165536:65536\n# a comment\n\n', subgid: '' });
  try {
    const files = { subuid: join(dir, 'subuid'), subgid: join(dir, 'subgid') };
    const first = prerequisites(join(dir, 'prerequisites.sh'), ['subids'], files);
    assert.equal(first.code, 0, first.err);
    assert.equal(readFileSync(files.subuid, 'utf8'), 'alice:165536:65536\n# a comment\n\nhomelab:100000:65536\n');
    assert.equal(readFileSync(files.subgid, 'utf8'), 'homelab:100000:65536\n');
    // A second run finds the range and changes nothing.
    const again = prerequisites(join(dir, 'prerequisites.sh'), ['subids'], files);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /homelab has 65536 ids from 100000 on/);
    assert.equal(readFileSync(files.subuid, 'utf8'), 'alice:165536:65536\n# a comment\n\nhomelab:100000:65536\n');

    // Another user holds part of the default range: refused, with a start that is free.
    writeFileSync(files.subuid, 'alice:100000:65536\nbob:165536:1000\n');
    writeFileSync(files.subgid, '');
    const overlap = prerequisites(join(dir, 'prerequisites.sh'), ['subids'], files);
    assert.equal(overlap.code, 1);
    assert.match(overlap.err, /the range 100000-165535 overlaps the range of alice \(100000-165535\): set subuids: \{ start: 166536 \}/);
    assert.equal(readFileSync(files.subuid, 'utf8'), 'alice:100000:65536\nbob:165536:1000\n', 'nothing written on refusal');

    // The user's own range, given by uid, overlapping someone else's.
    writeFileSync(files.subuid, '1000:100000:65536\ncarol:120000:65536\n');
    const own = prerequisites(join(dir, 'prerequisites.sh'), ['subids'], files);
    assert.equal(own.code, 1);
    assert.match(own.err, /homelab's range 100000-165535 overlaps the range of carol/);

    // A last line without its newline: the new range still gets a line of its own.
    writeFileSync(files.subuid, 'alice:200000:65536');
    writeFileSync(files.subgid, 'alice:200000:65536\n');
    const noNewline = prerequisites(join(dir, 'prerequisites.sh'), ['subids'], files);
    assert.equal(noNewline.code, 0, noNewline.err);
    assert.equal(readFileSync(files.subuid, 'utf8'), 'alice:200000:65536\nhomelab:100000:65536\n');
    assert.equal(readFileSync(files.subgid, 'utf8'), 'alice:200000:65536\nhomelab:100000:65536\n');

    // CR LF line ends: newuidmap would not read those lines; refused, nothing written.
    writeFileSync(files.subuid, 'alice:200000:65536\r\n');
    const crlf = prerequisites(join(dir, 'prerequisites.sh'), ['subids'], files);
    assert.equal(crlf.code, 1);
    assert.match(crlf.err, /subuid has CR LF \(Windows\) line ends, which newuidmap does not read: convert it \(sed -i 's\/\\r\$\/\/' /);
    assert.equal(readFileSync(files.subuid, 'utf8'), 'alice:200000:65536\r\n');

    // The user's own range is smaller than images expect: kept as it is, with a warning that says how to grow it.
    writeFileSync(files.subuid, 'homelab:100000:1000\nalice:165536:65536\n');
    writeFileSync(files.subgid, 'homelab:100000:65536\n');
    const few = prerequisites(join(dir, 'prerequisites.sh'), ['subids'], files);
    assert.equal(few.code, 0, few.err);
    assert.match(few.err, /warning: .*subuid: homelab has only 1000 ids \(from 100000 on\): containers cannot use a uid or gid above 1000\. Give it 65536: usermod --add-subuids 231072-296607 homelab, then podman system migrate as homelab/);
    assert.match(few.out, /subgid: homelab has 65536 ids from 100000 on/);
    assert.doesNotMatch(few.err, /subgid/);
    assert.equal(readFileSync(files.subuid, 'utf8'), 'homelab:100000:1000\nalice:165536:65536\n');

    const unknown = prerequisites(join(dir, 'prerequisites.sh'), ['cleanup'], files);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no step cleanup; steps: user subids linger roots dirs ports checks/);
  } finally {
    removeTree(dir);
  }
});

test('prerequisites.sh: roots created for the user, network roots and mounts only checked, existing folders never chowned', (t) => {
  if (!asRoot(t)) return;
  const dir = tempTree({});
  try {
    const local = join(dir, 'data', 'docker');
    const taken = join(dir, 'taken');
    mkdirSync(taken);
    chownSync(taken, 0, 0);
    const repoDir = tempTree(
      baseRepo({
        'berth.yml': `user: nobody\nuid: 65534\nroots:\n  DATA_ROOT: ${local}\n  MEDIA_ROOT: ${join(dir, 'nas')}\n  OLD_ROOT: ${taken}\n  MUM_ROOT: ${join(dir, 'mum')}\nnetworkRoots: [MEDIA_ROOT]\nsubuids: { start: 300000, count: 70000 }\n`,
        'stacks/web/stack.yml': `mounts: { optional: [${join(dir, 'mum')}] }\ndirs:\n  - { path: "\${DATA_ROOT}/web/logs", owner: "0:4", mode: "0750" }\n`,
        'stacks/web/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    ports: ["80:80"]\n    volumes: ["${DATA_ROOT}/web:/data", "${MEDIA_ROOT}/x:/x", "${OLD_ROOT}/y:/y", "${MUM_ROOT}/m:/m"]\n',
      }),
    );
    try {
      const r = renderOwn(load(repoDir), 'doc1', 'quadlet');
      const script = r.file(PREREQ);
      assert.match(script, /^sub_start=300000\nsub_count=70000$/m);
      // A privileged port: the sysctl file, applied by the ports step.
      assert.equal(r.file('etc/sysctl.d/50-berth-unprivileged-ports.conf').split('\n').filter((l) => l && !l.startsWith('#')).join('\n'), 'net.ipv4.ip_unprivileged_port_start=80');
      writeFileSync(join(dir, 'p.sh'), script);
      const run = spawnSync('sh', [join(dir, 'p.sh'), 'roots', 'dirs'], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(statSync(local).uid, 65534, 'DATA_ROOT created for the user');
      assert.ok(!existsSync(join(dir, 'nas')), 'a network root is never created');
      assert.ok(!existsSync(join(dir, 'mum')), 'a mount point is never created');
      assert.match(run.stderr, /MEDIA_ROOT .* is a network root and is not there/);
      assert.match(run.stderr, /MUM_ROOT .* is at or inside a declared mount/);
      assert.equal(statSync(taken).uid, 0, 'an existing folder is never chowned');
      assert.match(run.stderr, /OLD_ROOT .* belongs to uid 0, not nobody/);
      const logs = statSync(join(local, 'web', 'logs'));
      assert.deepEqual([logs.uid, logs.gid, logs.mode & 0o777], [0, 4, 0o750], 'a host-owned dir gets its owner and mode from root');
    } finally {
      removeTree(repoDir);
    }
  } finally {
    removeTree(dir);
  }
});

test('prerequisites.sh: the ports step says it lowers the first unprivileged port for every user; the firewall check knows whether the ruleset jumps to berth_input (own network namespace)', (t) => {
  if (!asRoot(t)) return;
  if (!has('unshare') || !has('nft')) return skipWithNotice(t, 'unshare or nft is missing (.ci/testbed installs nftables)');
  const repoDir = tempTree(baseRepo({ 'stacks/web/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    ports: ["80:80", "443:443"]\n', 'stacks/web/stack.yml': 'firewall: { tcp: [80, 443] }\n' }));
  const dir = tempTree({});
  try {
    const r = renderOwn(load(repoDir), 'doc1', 'quadlet');
    const script = r.file(PREREQ);
    assert.match(script, /^# One change reaches beyond homelab: step ports lowers net\.ipv4\.ip_unprivileged_port_start to 80$/m);
    const sysctl = r.file('etc/sysctl.d/50-berth-unprivileged-ports.conf');
    assert.match(sysctl, /^# .*for every user of doc1, not only homelab: any of them may then listen on ports 80-1023/m);
    assert.match(sysctl, /^net\.ipv4\.ip_unprivileged_port_start=80$/m);
    const note = r.notes.filter((n) => n.key === 'ports' && n.stack === 'web' && /ip_unprivileged_port_start/.test(n.message));
    assert.equal(note.length, 1);
    assert.match(note[0]!.message, /publishes port 80, below 1024: .* lowers net\.ipv4\.ip_unprivileged_port_start to 80 for every user of doc1, not only homelab/);
    writeFileSync(join(dir, 'p.sh'), script);
    writeFileSync(join(dir, 'firewall.nft'), r.file(FIREWALL));
    const rulesets = {
      jump: `flush ruleset\n${headerExample(r.file(FIREWALL), join(dir, 'firewall.nft'))}`,
      nojump: 'flush ruleset\ntable inet filter {\n  chain input {\n    type filter hook input priority filter; policy drop;\n  }\n}\n',
    };
    for (const [name, text] of Object.entries(rulesets)) writeFileSync(join(dir, `${name}.nft`), text);
    // The network namespace has its own ip_unprivileged_port_start and ruleset: the machine's are not touched.
    const inNamespace = (commands: string) => spawnSync('unshare', ['--net', 'sh', '-c', commands], { encoding: 'utf8', cwd: dir, timeout: 30_000 });
    const lowered = inNamespace('sysctl -q -w net.ipv4.ip_unprivileged_port_start=1024 && sh p.sh ports && sh p.sh ports && sysctl -n net.ipv4.ip_unprivileged_port_start');
    assert.equal(lowered.status, 0, lowered.stderr);
    assert.match(lowered.stdout, /lowered net\.ipv4\.ip_unprivileged_port_start from 1024 to 80 \(a stack publishes port 80\)\. This holds for every user of this host, not only homelab: any of them may now listen on ports 80-1023/);
    assert.match(lowered.stdout, /net\.ipv4\.ip_unprivileged_port_start is 80 already\n80\n$/);
    const lower = inNamespace('sysctl -q -w net.ipv4.ip_unprivileged_port_start=0 && sh p.sh ports && sysctl -n net.ipv4.ip_unprivileged_port_start');
    assert.match(lower.stdout, /is 0, below the 80 berth needs: left as it is\n0\n$/, 'a lower value someone chose is never raised');
    if (!existsSync('/etc/sysctl.d/50-berth-unprivileged-ports.conf')) assert.match(lowered.stderr, /50-berth-unprivileged-ports\.conf is not installed, so the setting is lost at the next boot/);

    const firewall = (ruleset?: string) => inNamespace(`${ruleset ? `nft -f ${ruleset} && ` : ''}sh p.sh checks 2>&1 | grep firewall:`).stdout.trim();
    assert.match(firewall(), /^prerequisites: firewall: no nftables chain filters input here/);
    assert.match(firewall('nojump.nft'), /^prerequisites: warning: firewall: nftables filters input here, but no rule jumps to berth_input/);
    assert.match(firewall('jump.nft'), /^prerequisites: firewall: the loaded ruleset jumps to berth_input \(\/etc\/berth\/firewall\.nft\)$/);
  } finally {
    removeTree(dir);
    removeTree(repoDir);
  }
});

test('config: compose, subuids and proxy settings are checked, defaulted and overridden per host', () => {
  const dir = tempTree(
    baseRepo({
      'berth.yml': 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\ncompose: { stop: down }\nsubuids: { start: 200000 }\nproxy: { stack: web, email: me@example.org }\n',
      'hosts.yml': 'hosts:\n  doc1:\n    stacks: [web, db]\n    compose: { startTimeout: 60 }\n    subuids: { count: 131072 }\n',
    }),
  );
  try {
    const repo = load(dir);
    assert.deepEqual(repo.config.compose, { stop: 'down', startTimeout: 900 });
    assert.deepEqual(repo.config.proxy, { stack: 'web', email: 'me@example.org', loopback: '127.0.0.1' });
    assert.deepEqual(repo.hosts[0]!.compose, { stop: 'down', startTimeout: 60 });
    assert.deepEqual(repo.hosts[0]!.subuids, { start: 200000, count: 131072 });

    writeFileSync(join(dir, 'berth.yml'), 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\ncompose: { stop: kill }\nsubuids: { count: 1000 }\nproxy: { stack: wbe }\n');
    const bad = loadRepo(dir, new FileSource());
    const messages = bad.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message} ${d.hint ?? ''}`);
    assert.ok(messages.some((m) => /^SCHEMA .*stop/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^SCHEMA .*count/.test(m)), messages.join('\n'));
    writeFileSync(join(dir, 'berth.yml'), 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\nproxy: { stack: wbe }\n');
    const unknown = loadRepo(dir, new FileSource()).diagnostics.find((d) => d.code === 'UNKNOWN_STACK');
    assert.ok(unknown, 'proxy.stack names a missing stack');
    assert.match(unknown.message, /proxy\.stack names stack "wbe"/);
    assert.match(unknown.hint ?? '', /web/);
    assert.equal(unknown.span.line, 4);
    // Without proxy.stack, a stack named proxy is the proxy; without one, there is none.
    assert.equal(load(EXAMPLE).config.proxy.stack, 'proxy');
    writeFileSync(join(dir, 'berth.yml'), 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\n');
    assert.equal(load(dir).config.proxy.stack, undefined);
  } finally {
    removeTree(dir);
  }
});

test('two renders of every host give the same bytes', () => {
  const repo = load(EXAMPLE);
  for (const mode of ['quadlet', 'compose'] as const) {
    for (const host of ['doc1', 'media1']) {
      const a = renderOwn(repo, host, mode).artifacts;
      const b = renderOwn(load(EXAMPLE), host, mode).artifacts;
      assert.deepEqual(a.map((x) => [x.path, Buffer.from(x.content).toString('base64'), x.mode]), b.map((x) => [x.path, Buffer.from(x.content).toString('base64'), x.mode]));
    }
  }
});
