import type { Host, Mode, Repo } from '../model/repo.js';
import type { Artifact, FidelityNote } from './artifact.js';
import type { StackRenderContext } from './context.js';
import { renderComposeStack } from './compose-mode.js';
import { renderHostFiles, renderStackTarget } from './host/index.js';
import { hostLayout, rel } from './layout.js';
import { renderQuadletStack } from './quadlet/index.js';
import { stackCommon } from './stack-common.js';

export interface HostRender {
  host: string;
  mode: Mode;
  /** Sorted by path: two renders of the same input are byte-identical. */
  artifacts: Artifact[];
  notes: FidelityNote[];
}

/**
 * Everything one host must run, as files. Pure: `files` holds every stack folder's files and the
 * encrypted secrets, read beforehand by the caller (see collect.ts).
 */
export function renderHost(repo: Repo, host: Host, files: ReadonlyMap<string, Uint8Array>, mode: Mode = host.mode): HostRender {
  const h: Host = { ...host, mode };
  const layout = hostLayout(h);
  const artifacts: Artifact[] = [];
  const notes: FidelityNote[] = [];
  const deployments = repo.deployments.filter((d) => d.host === h.name);
  const hostFiles = renderHostFiles({ repo, host: h, layout, deployments });
  for (const deployment of deployments) {
    const stack = repo.stacks[deployment.stack]!;
    const stackFiles = new Map([...files].filter(([path]) => path.startsWith(`${stack.dir}/`) || stack.manifest.secrets.some((s) => s.file === path)));
    // The proxy serves the rendered Caddyfile: a new route must restart it.
    const renderedInputs = stack.name === repo.config.proxy.stack ? hostFiles.artifacts.filter((a) => a.path.startsWith(rel(`${layout.shareDir}/proxy/`))) : [];
    const base = { repo, host: h, stack, deployment, layout, files: stackFiles, renderedInputs };
    const common = stackCommon(base);
    const ctx: StackRenderContext = { ...base, common };
    const out = mode === 'quadlet' ? renderQuadletStack(ctx) : renderComposeStack(ctx);
    artifacts.push(...common.artifacts, ...out.artifacts);
    if (mode === 'quadlet') artifacts.push(renderStackTarget(ctx));
    notes.push(...common.notes, ...out.notes);
  }
  artifacts.push(...hostFiles.artifacts);
  notes.push(...hostFiles.notes);
  return { host: h.name, mode, artifacts: sortedUnique(artifacts), notes };
}

function sortedUnique(artifacts: Artifact[]): Artifact[] {
  const byPath = new Map<string, Artifact>();
  for (const a of artifacts) {
    const seen = byPath.get(a.path);
    // Two stacks rendering one path would overwrite each other on the host: a bug, not a user error.
    if (seen && !sameContent(seen.content, a.content)) throw new Error(`two rendered files claim ${a.path}`);
    byPath.set(a.path, a);
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function sameContent(a: string | Uint8Array, b: string | Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}
