import { join } from 'node:path';
import { warning, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Span } from '../../diagnostics/span.js';
import type { Repo } from '../../model/repo.js';
import type { FileSource } from '../../source/files.js';
import { get } from '../../source/tree.js';
import { didYouMean } from '../../util/suggest.js';

/**
 * A profile that no service declares switches nothing on: almost always a typo, and the services
 * it was meant for silently stay off. Checked where profiles are turned on: a host in hosts.yml,
 * a stack in stack.yml.
 */
export function unknownProfiles(repo: Repo, source: FileSource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const hostsRoot = source.yaml(join(repo.dir, 'hosts.yml')).root;
  for (const host of repo.hosts) {
    const declared = new Set(repo.deployments.filter((d) => d.host === host.name).flatMap((d) => d.project.profiles));
    const items = get(get(get(hostsRoot, 'hosts'), host.name), 'profiles');
    host.profiles.forEach((profile, i) => {
      if (declared.has(profile)) return;
      const span = itemSpan(items, i) ?? host.span;
      out.push(warning('UNKNOWN_PROFILE', span, `host "${host.name}" turns on profile "${profile}", which no service of its stacks declares`, didYouMean(profile, declared) ?? `profiles its stacks declare: ${[...declared].sort().join(', ') || 'none'}`));
    });
  }
  for (const stack of Object.values(repo.stacks)) {
    const deployments = repo.deployments.filter((d) => d.stack === stack.name);
    if (!stack.manifestFile || deployments.length === 0) continue;
    const declared = new Set(deployments.flatMap((d) => d.project.profiles));
    const items = get(source.yaml(stack.manifestFile).root, 'profiles');
    stack.manifest.profiles.forEach((profile, i) => {
      if (declared.has(profile)) return;
      const span = itemSpan(items, i) ?? stack.span;
      out.push(warning('UNKNOWN_PROFILE', span, `stack "${stack.name}" turns on profile "${profile}", which none of its services declares`, didYouMean(profile, declared) ?? `profiles its services declare: ${[...declared].sort().join(', ') || 'none'}`));
    });
  }
  return out;
}

function itemSpan(list: ReturnType<typeof get>, i: number): Span | undefined {
  return list?.kind === 'seq' ? list.items[i]?.span : undefined;
}
