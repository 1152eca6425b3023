/**
 * Shared by test/render-compose.test.ts and test/render-host.test.ts: renders what those two
 * modules own (compose units, stack targets, host-wide files) for a host of a real repository,
 * with the real stack-common, and checks user units with the real `systemd-analyze verify`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadRepo } from '../src/config/load-repo.js';
import type { Host, Mode, Repo } from '../src/model/repo.js';
import type { Artifact, FidelityNote } from '../src/render/artifact.js';
import { collectStackFiles } from '../src/render/collect.js';
import { renderComposeStack } from '../src/render/compose-mode.js';
import type { StackRenderContext } from '../src/render/context.js';
import { renderHostFiles, renderStackTarget } from '../src/render/host/index.js';
import { hostLayout } from '../src/render/layout.js';
import { stackCommon } from '../src/render/stack-common.js';
import { FileSource } from '../src/source/files.js';
import { has, ROOT } from './helpers.js';

export const EXAMPLE = join(ROOT, 'examples', 'homelab');

export function load(dir: string): Repo {
  const r = loadRepo(dir, new FileSource());
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (!r.repo || errors.length) throw new Error(`${dir} does not load: ${errors.map((d) => d.message).join('; ')}`);
  return r.repo;
}

export interface Rendered {
  host: Host;
  artifacts: Artifact[];
  notes: FidelityNote[];
  contexts: StackRenderContext[];
  /** Artifact content by path. */
  file(path: string): string;
}

/** What render-host.ts does for one host, limited to the compose mode, the stack targets and the host files. */
export function renderOwn(repo: Repo, hostName: string, mode: Mode): Rendered {
  const base = repo.hosts.find((h) => h.name === hostName);
  if (!base) throw new Error(`no host ${hostName}`);
  const host: Host = { ...base, mode };
  const layout = hostLayout(host);
  const files = collectStackFiles(repo, host.stacks.map((s) => s.name));
  const deployments = repo.deployments.filter((d) => d.host === host.name);
  const artifacts: Artifact[] = [];
  const notes: FidelityNote[] = [];
  const contexts: StackRenderContext[] = [];
  for (const deployment of deployments) {
    const stack = repo.stacks[deployment.stack]!;
    const stackFiles = new Map([...files].filter(([p]) => p.startsWith(`${stack.dir}/`) || stack.manifest.secrets.some((s) => s.file === p)));
    const input = { repo, host, stack, deployment, layout, files: stackFiles };
    const ctx: StackRenderContext = { ...input, common: stackCommon(input) };
    contexts.push(ctx);
    artifacts.push(...ctx.common.artifacts);
    notes.push(...ctx.common.notes);
    if (mode === 'compose') {
      const out = renderComposeStack(ctx);
      artifacts.push(...out.artifacts);
      notes.push(...out.notes);
    } else {
      artifacts.push(renderStackTarget(ctx));
    }
  }
  const hostFiles = renderHostFiles({ repo, host, layout, deployments });
  artifacts.push(...hostFiles.artifacts);
  notes.push(...hostFiles.notes);
  const byPath = new Map(artifacts.map((a) => [a.path, a]));
  return {
    host,
    artifacts: [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : 1)),
    notes,
    contexts,
    file(path) {
      const a = byPath.get(path);
      if (!a) throw new Error(`not rendered: ${path}; rendered: ${[...byPath.keys()].join(', ')}`);
      return Buffer.from(a.content).toString('utf8');
    },
  };
}

export function writeArtifacts(root: string, artifacts: Artifact[]): void {
  for (const a of artifacts) {
    const file = join(root, a.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, a.content);
    chmodSync(file, a.mode ?? 0o644);
  }
}

/** The values of one key of a unit file, in order. */
export function values(unit: string, key: string): string[] {
  return unit
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
}


/**
 * Why `verifyUserUnits` cannot run here, if it cannot: it needs systemd-analyze, and root for a
 * private mount namespace (CI runs the tests as root).
 */
export function verifyUnavailable(): string | undefined {
  if (!has('systemd-analyze') || !has('unshare')) return 'systemd-analyze or unshare is missing (.ci/testbed installs systemd)';
  if (process.getuid?.() !== 0) return 'systemd-analyze verify of rendered units needs root (a private mount namespace puts the rendered home at /home/<user>)';
  return undefined;
}

/**
 * `systemd-analyze --user verify` on units of a rendered tree, as they will be on the host.
 * verify checks that every Exec program exists and every Requires= resolves, so the rendered
 * home is bind-mounted at its real place (/home/<user>) in a private mount namespace, over a
 * tmpfs: the machine's own /home is not touched. Units are found through SYSTEMD_UNIT_PATH
 * (the rendered unit dir, then the system's user unit dirs, for podman.socket and the like).
 */
export function verifyUserUnits(treeRoot: string, user: string, units: string[]): { status: number; output: string } {
  const home = `/home/${user}`;
  const unitDir = `${home}/.config/systemd/user`;
  const runtime = mkdtempSync(join(tmpdir(), 'berth-xdg-'));
  const script = 'mount -t tmpfs berth-home /home && mkdir -p "$HOME_AT" && mount --bind "$TREE_HOME" "$HOME_AT" && cd "$UNIT_DIR" && exec systemd-analyze --user verify "$@"';
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', ...units], {
    env: { ...process.env, HOME_AT: home, TREE_HOME: join(treeRoot, home), UNIT_DIR: unitDir, SYSTEMD_UNIT_PATH: `${unitDir}:`, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_COLOR: '0' },
    encoding: 'utf8',
  });
  rmSync(runtime, { recursive: true, force: true });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}
