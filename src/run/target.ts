import type { Deployment, Host, Repo, Stack } from '../model/repo.js';
import { didYouMean } from '../util/suggest.js';
import { SelectionError } from './errors.js';

/** One stack as one host runs it: everything the runner needs from the repository. */
export interface StackTarget {
  repo: Repo;
  host: Host;
  stack: Stack;
  deployment: Deployment;
}

/**
 * The stacks to act on and the host whose view of them to use (its roots, profiles, user). With
 * --host, that host; without, the only host, or the one whose address is "local" or this machine's
 * name, or the only host that runs every named stack. No stack named: every stack of that host.
 * The result is in start order: a stack comes after those its stack.yml `after:` names.
 */
export function selectTargets(repo: Repo, names: readonly string[], hostName: string | undefined, machine: string): StackTarget[] {
  for (const n of names) if (!repo.stacks[n]) throw new SelectionError(unknownStackMessage(repo, n));
  const host = pickHost(repo, names, hostName, machine);
  const wanted = names.length ? [...names] : host.stacks.map((s) => s.name);
  for (const n of wanted) {
    if (!host.stacks.some((s) => s.name === n)) throw new SelectionError(`host ${host.name} does not run stack ${n} (hosts.yml); ${hostsRunning(repo, n)}`);
  }
  const targets = wanted.map((n) => {
    const deployment = repo.deployments.find((d) => d.host === host.name && d.stack === n);
    if (!deployment) throw new SelectionError(`stack ${n} could not be loaded for host ${host.name}; run "berth validate"`);
    return { repo, host, stack: repo.stacks[n]!, deployment };
  });
  return afterOrder(targets);
}

export function unknownStackMessage(repo: Repo, name: string): string {
  return `no stack "${name}" in ${repo.dir}/stacks; ${didYouMean(name, Object.keys(repo.stacks)) ?? `stacks: ${Object.keys(repo.stacks).join(', ') || 'none'}`}`;
}

/**
 * The host this machine is, for what concerns no stack of the repository (a leftover stack's
 * containers): --host's, or the one selectTargets would pick; undefined when none stands out.
 */
export function localHost(repo: Repo, hostName: string | undefined, machine: string): Host | undefined {
  try {
    return pickHost(repo, [], hostName, machine);
  } catch (e) {
    if (hostName !== undefined || !(e instanceof SelectionError)) throw e;
    return undefined;
  }
}

function pickHost(repo: Repo, names: readonly string[], hostName: string | undefined, machine: string): Host {
  if (hostName !== undefined) {
    const h = repo.hosts.find((x) => x.name === hostName);
    if (!h) throw new SelectionError(`no host "${hostName}" in hosts.yml; ${didYouMean(hostName, repo.hosts.map((x) => x.name)) ?? `hosts: ${repo.hosts.map((x) => x.name).join(', ') || 'none'}`}`);
    return h;
  }
  if (repo.hosts.length === 0) throw new SelectionError('hosts.yml names no host: add one that runs the stack (hosts: { myhost: { address: local, stacks: [...] } })');
  if (repo.hosts.length === 1) return repo.hosts[0]!;
  const local = repo.hosts.filter((h) => h.address === 'local' || h.name === machine || h.address === machine || h.address.split('.')[0] === machine);
  if (local.length === 1) return local[0]!;
  const running = repo.hosts.filter((h) => names.length > 0 && names.every((n) => h.stacks.some((s) => s.name === n)));
  if (running.length === 1) return running[0]!;
  throw new SelectionError(`several hosts could be meant (${(running.length ? running : repo.hosts).map((h) => h.name).join(', ')}): say which with --host`);
}

function hostsRunning(repo: Repo, stack: string): string {
  const hosts = repo.hosts.filter((h) => h.stacks.some((s) => s.name === stack)).map((h) => h.name);
  return hosts.length ? `it runs on ${hosts.join(', ')}` : 'no host runs it';
}

/** Stable order honouring `after:` between the selected stacks (other names are systemd units or unselected stacks). */
function afterOrder(targets: StackTarget[]): StackTarget[] {
  const byName = new Map(targets.map((t) => [t.stack.name, t]));
  const out: StackTarget[] = [];
  const seen = new Set<string>();
  const visit = (t: StackTarget, path: Set<string>) => {
    if (seen.has(t.stack.name) || path.has(t.stack.name)) return;
    path.add(t.stack.name);
    for (const a of t.stack.manifest.after) {
      const dep = byName.get(a.name);
      if (dep) visit(dep, path);
    }
    seen.add(t.stack.name);
    out.push(t);
  };
  for (const t of targets) visit(t, new Set());
  return out;
}
