import { artifact, type Artifact } from '../artifact.js';
import type { HostRenderContext } from '../context.js';
import { rel } from '../layout.js';

/**
 * Every monitor of every stack in the repository, with the host and stack it watches, for an
 * uptime checker (which usually runs on one host and watches them all). Sorted by host, stack and
 * name, so every host gets the same bytes.
 */
export function renderMonitors(ctx: HostRenderContext): Artifact {
  const list = ctx.repo.deployments
    .flatMap((d) =>
      (ctx.repo.stacks[d.stack]?.manifest.monitors ?? []).map((m) => ({
        host: d.host,
        stack: d.stack,
        name: m.name,
        url: m.url,
        accept: m.accept,
        ...(m.interval !== undefined ? { interval: m.interval } : {}),
      })),
    )
    .sort((a, b) => compare(a.host, b.host) || compare(a.stack, b.stack) || compare(a.name, b.name) || compare(a.url, b.url));
  return artifact(rel(`${ctx.layout.shareDir}/monitors.json`), JSON.stringify(list, null, 2) + '\n');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
