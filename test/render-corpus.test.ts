import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { loadCompose } from '../src/compose/load.js';
import type { Deployment, Stack } from '../src/model/repo.js';
import type { Artifact, FidelityNote } from '../src/render/artifact.js';
import type { StackRenderContext } from '../src/render/context.js';
import { hostLayout } from '../src/render/layout.js';
import { splitCommand } from '../src/render/quadlet/command.js';
import { renderQuadletStack } from '../src/render/quadlet/index.js';
import { serviceUnit } from '../src/render/quadlet/names.js';
import { stackCommon } from '../src/render/stack-common.js';
import { FileSource } from '../src/source/files.js';
import { CORPUS, removeTree, sharedOrSkip, tempTree } from './helpers.js';
import { load, writeArtifacts } from './render-host-kit.js';
import { generate, podmanRun, quadletOrSkip } from './quadlet-kit.js';

interface Outcome {
  file: string;
  stack: string;
  /** Loader errors: the file is refused before rendering. */
  loaderErrors: string[];
  artifacts: Artifact[];
  notes: FidelityNote[];
  /** The command words of each service unit whose command was rendered as Exec=. */
  commands: Map<string, string[]>;
}

/**
 * Every compose file of ../shared/corpus/compose rendered in Quadlet mode as a stack of a
 * throwaway host (a real berth repository supplies the host, layout and defaults), then all
 * passed through the real Quadlet generator in one run. A file is rendered (the generator
 * accepted every file made from it) or refused with the loader's error codes; keys refused
 * inside rendered files are counted by reason.
 */
test('every corpus compose file renders in Quadlet mode and passes the generator, or is refused with a reason', (t) => {
  if (!sharedOrSkip(t) || !quadletOrSkip(t)) return;
  const started = Date.now();
  const skeleton = tempTree({ 'berth.yml': 'user: homelab\nuid: 1000\n', 'hosts.yml': 'hosts:\n  corpus:\n    stacks: [base]\n', 'stacks/base/compose.yml': 'services:\n  a:\n    image: docker.io/library/busybox:1\n' });
  const out = mkdtempSync(join(tmpdir(), 'berth-corpus-quadlet-'));
  try {
    const repo = load(skeleton);
    const host = repo.hosts[0]!;
    const layout = hostLayout(host);
    const base = repo.stacks.base!;
    const dir = join(CORPUS, 'compose');
    const files = readdirSync(dir).sort();
    const source = new FileSource();
    const outcomes: Outcome[] = files.map((file, i) => {
      const name = `c${String(i).padStart(3, '0')}`;
      const path = join(dir, file);
      const r = loadCompose(path, source, { allProfiles: true, projectName: name });
      const loaderErrors = [...new Set(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code))];
      if (loaderErrors.length || !r.project) return { file, stack: name, loaderErrors, artifacts: [], notes: [], commands: new Map() };
      const stack: Stack = { ...base, name, dir: dirname(path), composeFile: path };
      const deployment: Deployment = { host: host.name, stack: name, project: r.project };
      const input = { repo: { ...repo, stacks: { [name]: stack } }, host: { ...host, stacks: [{ name, span: base.span }] }, stack, deployment, layout, files: new Map([[path, readFileSync(path)]]) };
      const ctx: StackRenderContext = { ...input, common: stackCommon(input) };
      let rendered;
      try {
        rendered = renderQuadletStack(ctx);
      } catch (e) {
        assert.fail(`rendering ${file} threw: ${(e as Error).stack}`);
      }
      for (const svc of Object.values(r.project.services)) {
        for (const { key } of svc.node.entries) {
          const noted = rendered.notes.some((n) => n.service === svc.name && (n.key === key || n.key.startsWith(`${key}.`)));
          assert.ok(noted, `${file}: service ${svc.name} uses ${key}, which got no fidelity note`);
        }
      }
      const commands = new Map<string, string[]>();
      for (const svc of Object.values(r.project.services)) {
        if (!rendered.notes.some((n) => n.service === svc.name && n.key === 'command' && n.message.startsWith('Exec='))) continue;
        const command = svc.config.command;
        commands.set(serviceUnit(name, svc.name), Array.isArray(command) ? command.map(String) : splitCommand(String(command)).words);
      }
      return { file, stack: name, loaderErrors, artifacts: rendered.artifacts, notes: rendered.notes, commands };
    });

    const quadletDir = join(out, layout.quadletDir);
    writeArtifacts(out, outcomes.flatMap((o) => o.artifacts));
    const g = generate(quadletDir);
    const rejected = new Map<string, string[]>();
    for (const line of g.errors) {
      const unit = /converting "([^"]+)"/.exec(line)?.[1];
      const owner = outcomes.find((o) => unit?.startsWith(`${o.stack}-`));
      const key = owner?.file ?? '(unattributed)';
      rejected.set(key, [...(rejected.get(key) ?? []), line]);
    }

    const byReason = new Map<string, number>();
    const count = (reason: string) => byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    let rendered = 0;
    let containers = 0;
    let commands = 0;
    for (const o of outcomes) {
      if (o.loaderErrors.length) {
        count(`loader: ${o.loaderErrors.join(',')}`);
        continue;
      }
      const made = o.artifacts.filter((a) => a.path.endsWith('.container'));
      if (made.length === 0) {
        count(`nothing to run: ${o.notes.find((n) => n.fidelity === 'refused')?.message ?? 'no service'}`);
        continue;
      }
      rendered++;
      containers += made.length;
      // Each .container the generator accepted became a service unit, whose ExecStart= is one
      // podman command (podmanRun throws on a bare ";") ending with the compose command, word for word.
      for (const a of made) {
        const unit = a.path.slice(a.path.lastIndexOf('/') + 1).replace(/\.container$/, '.service');
        if (rejected.has(o.file)) continue;
        assert.ok(g.units.has(unit), `${o.file}: the generator made no ${unit}`);
        const argv = podmanRun(g.units, unit);
        const command = o.commands.get(unit);
        if (command) {
          assert.deepEqual(argv.slice(-command.length), command, `${o.file}: ${unit} does not end with its command`);
          commands++;
        }
      }
    }
    const refusedKeys = new Map<string, number>();
    for (const o of outcomes) for (const n of o.notes) if (n.fidelity === 'refused') refusedKeys.set(`${n.key}: ${n.message}`, (refusedKeys.get(`${n.key}: ${n.message}`) ?? 0) + 1);

    const refused = outcomes.length - rendered;
    t.diagnostic(`${outcomes.length} corpus compose files: ${rendered} rendered (${containers} containers, ${commands} commands checked word for word) and accepted by the Quadlet generator, ${refused} refused, in ${Date.now() - started} ms`);
    for (const [reason, n] of [...byReason].sort()) t.diagnostic(`refused ${n}: ${reason}`);
    for (const [reason, n] of [...refusedKeys].sort((a, b) => b[1] - a[1])) t.diagnostic(`key refused ${n}x in rendered files: ${reason}`);
    const fidelity = new Map<string, number>();
    for (const o of outcomes) for (const n of o.notes) fidelity.set(n.fidelity, (fidelity.get(n.fidelity) ?? 0) + 1);
    t.diagnostic(`notes: ${[...fidelity].map(([f, n]) => `${n} ${f}`).join(', ')}`);

    assert.deepEqual([...rejected].map(([file, lines]) => `${file}: ${lines.join(' | ')}`), []);
    assert.equal(g.status, 0);
    assert.ok(rendered >= 100, `only ${rendered} of ${outcomes.length} files rendered`);
  } finally {
    removeTree(out);
    removeTree(skeleton);
  }
});
