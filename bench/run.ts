/**
 * Benchmarks, reported side by side in one run (never asserted in tests):
 * - the compose loader per corpus file, against a bare `yaml` parse of the same text as a floor;
 * - refusing a billion-laughs document;
 * - CLI start-up (`berth --version`) against `node -e 0`;
 * - render of a generated repository of 500 stacks on 20 hosts (load, then render every host in both modes).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadRepo } from '../src/config/load-repo.js';
import { collectStackFiles } from '../src/render/collect.js';
import { renderHost } from '../src/render/render-host.js';
import { parse } from 'yaml';
import { loadCompose } from '../src/compose/load.js';
import { validator } from '../src/schemas/validators.js';
import { FileSource } from '../src/source/files.js';
import { parseYaml } from '../src/source/yaml.js';
import { CORPUS, ROOT, removeTree, tempTree } from '../test/helpers.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void, runs: number): number {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

function benchLoader(): void {
  const dir = join(CORPUS, 'compose');
  if (!existsSync(dir)) {
    console.log(`# notice: ${dir} is absent; skipping the corpus benchmark`);
    return;
  }
  const t0 = performance.now();
  validator('compose');
  console.log(`compose schema compiled once (from source; the bundled CLI has it precompiled) in ${(performance.now() - t0).toFixed(1)} ms\n`);

  const rows = readdirSync(dir)
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const text = readFileSync(file, 'utf8');
      const loader = time(() => loadCompose(file, new FileSource()), 15);
      const floor = time(() => parse(text, { maxAliasCount: -1, logLevel: 'silent' }), 15);
      return { f, kb: statSync(file).size / 1024, loader, floor };
    });
  const total = rows.reduce((a, r) => a + r.loader, 0);
  const floorTotal = rows.reduce((a, r) => a + r.floor, 0);
  const show = [...rows].sort((a, b) => b.kb - a.kb).slice(0, 8);
  console.log('largest files             KB   berth load (ms)   yaml.parse (ms)   ratio');
  for (const r of show) {
    console.log(`${r.f.slice(0, 24).padEnd(24)} ${r.kb.toFixed(1).padStart(5)}   ${r.loader.toFixed(2).padStart(15)}   ${r.floor.toFixed(2).padStart(15)}   ${(r.loader / r.floor).toFixed(1).padStart(5)}x`);
  }
  console.log(`\nloader over ${rows.length} corpus compose files: ${total.toFixed(1)} ms in all, ${(total / rows.length).toFixed(2)} ms per file (median of 15 runs each)`);
  console.log(`bare yaml.parse of the same files: ${floorTotal.toFixed(1)} ms (${(total / floorTotal).toFixed(1)}x: positions, interpolation, schema, extends, normalisation)\n`);
}

function benchAliasBomb(): void {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = 'abcdefghij';
  for (let i = 1; i < names.length; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(',')}]`);
  const text = lines.join('\n');
  const ms = time(() => parseYaml(text, 'bomb.yml'), 9);
  console.log(`billion-laughs document (10 levels of 9 aliases) refused in ${ms.toFixed(2)} ms\n`);
}

function benchStartup(): void {
  const bin = join(ROOT, 'bin', 'berth.js');
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) {
    console.log('# notice: dist/ is missing; run "npm run build" to benchmark start-up');
    return;
  }
  const run = (args: string[]) => time(() => spawnSync(process.execPath, args), 15);
  const node = run(['-e', '0']);
  const version = run([bin, '--version']);
  const validate = run([bin, 'validate', join(ROOT, 'examples', 'homelab')]);
  console.log(`start-up: node -e 0 ${node.toFixed(1)} ms; berth --version ${version.toFixed(1)} ms (${(version / node).toFixed(2)}x)`);
  console.log(`berth validate examples/homelab: ${validate.toFixed(1)} ms (${(validate / node).toFixed(2)}x node -e 0)`);
}

/** berth audit and dclint on the same corpus compose files, one process each, side by side. */
function benchAuditVsDclint(): void {
  const dir = join(CORPUS, 'compose');
  const dclint = join(ROOT, 'node_modules', 'dclint', 'bin', 'dclint.cjs');
  if (!existsSync(dir) || !existsSync(dclint) || !existsSync(join(ROOT, 'dist', 'main.js'))) {
    console.log('# notice: the corpus, dclint (npm install) or dist/ is missing; skipping berth audit vs dclint');
    return;
  }
  const files = readdirSync(dir).sort().map((f) => join(dir, f));
  const bin = join(ROOT, 'bin', 'berth.js');
  const timeProcess = (args: string[], runs: number) => time(() => spawnSync(process.execPath, args, { stdio: 'ignore' }), runs);
  const berthAll = timeProcess([bin, 'audit', '--format', 'json', ...files], 5);
  const dclintAll = timeProcess([dclint, ...files], 5);
  console.log(`\naudit of ${files.length} corpus compose files in one process (median of 5):`);
  console.log(`  berth audit ${berthAll.toFixed(0)} ms · dclint ${dclintAll.toFixed(0)} ms · berth is ${(dclintAll / berthAll).toFixed(1)}x faster`);
  const one = files.find((f) => f.includes('immich-app__immich__docker__docker-compose.yml')) ?? files[0]!;
  const node = timeProcess(['-e', '0'], 9);
  const berthOne = timeProcess([bin, 'audit', one], 9);
  const dclintOne = timeProcess([dclint, one], 9);
  console.log(`one file (${one.split('/').pop()}): berth audit ${berthOne.toFixed(0)} ms (${(berthOne / node).toFixed(2)}x node -e 0 at ${node.toFixed(0)} ms) · dclint ${dclintOne.toFixed(0)} ms`);
}

/** A homelab far larger than any real one: each stack an app behind a healthy database, with dirs, a proxy entry and a port. */
function syntheticRepo(stacks: number, hosts: number): string {
  const files: Record<string, string> = {
    'berth.yml': 'user: homelab\nuid: 1000\nroots:\n  DATA_ROOT: /mnt/docker\n',
    'hosts.yml':
      'hosts:\n' +
      Array.from({ length: hosts }, (_, h) => `  h${h}:\n    address: h${h}.lan\n    stacks: [${Array.from({ length: stacks / hosts }, (_, i) => `s${h * (stacks / hosts) + i}`).join(', ')}]\n`).join(''),
  };
  for (let i = 0; i < stacks; i++) {
    files[`stacks/s${i}/compose.yml`] = `services:
  app:
    image: docker.io/library/nginx:1.27
    restart: unless-stopped
    ports: ["127.0.0.1:${10000 + i}:80"]
    environment: { DB_HOST: db, TZ: Europe/Berlin }
    depends_on: { db: { condition: service_healthy } }
    volumes: ["\${DATA_ROOT}/s${i}/html:/usr/share/nginx/html:ro"]
    labels: [io.containers.autoupdate=registry]
    deploy: { resources: { limits: { memory: 256m, cpus: "0.5" } } }
  db:
    image: docker.io/library/postgres:16
    restart: unless-stopped
    user: "999:999"
    volumes: ["\${DATA_ROOT}/s${i}/pg:/var/lib/postgresql/data:U"]
    healthcheck: { test: [CMD, pg_isready], interval: 10s, timeout: 5s, retries: 5 }
`;
    files[`stacks/s${i}/stack.yml`] = `dirs:\n  - path: \${DATA_ROOT}/s${i}/pg\n    owner: container:999\n    mode: "0700"\nproxy:\n  - host: s${i}.example.org\n    port: ${10000 + i}\n`;
  }
  return tempTree(files, 'berth-bench-');
}

function benchRender(): void {
  const dir = syntheticRepo(500, 20);
  try {
    let loaded = loadRepo(dir, new FileSource());
    const load = time(() => (loaded = loadRepo(dir, new FileSource())), 3);
    const repo = loaded.repo!;
    const problems = loaded.diagnostics.filter((d) => d.severity === 'error');
    if (problems.length) throw new Error(`the generated repository is invalid: ${problems[0]!.message}`);
    const files = collectStackFiles(repo, Object.keys(repo.stacks));
    let count = 0;
    const quadlet = time(() => {
      count = 0;
      for (const host of repo.hosts) count += renderHost(repo, host, files, 'quadlet').artifacts.length;
    }, 3);
    const compose = time(() => {
      for (const host of repo.hosts) renderHost(repo, host, files, 'compose');
    }, 3);
    console.log(`\nrender, generated repository of 500 stacks (1,000 services) on 20 hosts (median of 3):`);
    console.log(`  load and validate ${load.toFixed(0)} ms · render quadlet ${quadlet.toFixed(0)} ms (${count} files) · render compose ${compose.toFixed(0)} ms`);
  } finally {
    removeTree(dir);
  }
}

benchLoader();
benchAliasBomb();
benchStartup();
benchAuditVsDclint();
benchRender();
