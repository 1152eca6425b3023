import { readFileSync, statSync } from 'node:fs';
import { dirSteps } from '../dirs.js';
import { missingMounts } from '../mounts.js';
import { observeProject } from '../observe.js';
import { installedUnit, unitActiveState } from '../systemd.js';
import type { StackTarget } from '../target.js';
import { fail, pass, warn, type CheckResult, type MachineFacts } from './check.js';
import { parseSubids } from './user-namespace.js';

/**
 * Each data directory of stack.yml exists and belongs to the uid the container writes as: the
 * user for "user", the subuid that container uid N maps to for "container:N" (seed 004: 999 is
 * start + 998 on the host), the host uid for "UID:GID". Inside a network root only existence counts.
 */
export function dataDirs(target: StackTarget, facts: MachineFacts): CheckResult[] {
  const check = `${target.stack.name}: dirs`;
  let steps;
  try {
    steps = dirSteps(target.repo, target.host, target.stack);
  } catch (e) {
    return [fail(check, (e as Error).message, 'fix the path in stack.yml, or define the root for this host')];
  }
  const subuid = parseSubids(safeRead(facts.subuidFile)).find((r) => r.owner === facts.user || r.owner === String(facts.uid));
  return steps.map((step) => {
    let st;
    try {
      st = statSync(step.path);
    } catch {
      return warn(check, `${step.path} does not exist yet`, `berth up ${target.stack.name} creates it with the right owner`);
    }
    if (step.networkRoot) return pass(check, `${step.path} exists (network root: owner not checked)`);
    const expected = expectedUid(step.owner, facts.uid, subuid?.start);
    if (expected === undefined) return warn(check, `${step.path}: cannot tell which host uid ${step.owner} maps to (no subuid range)`, 'see the subuid check');
    if (st.uid !== expected) {
      const container = /^container:(\d+)(?::(\d+))?$/.exec(step.owner);
      // The directory itself, as up does: what is inside is the service's data and keeps its owners.
      const fix = container ? `podman unshare chown ${container[1]}:${container[2] ?? container[1]} ${step.path} (or: berth up ${target.stack.name})` : step.owner === 'user' ? `podman unshare chown 0:0 ${step.path}` : `sudo chown ${step.owner} ${step.path}`;
      return fail(check, `${step.path} is owned by uid ${st.uid}, but ${step.owner} is uid ${expected} on this host: the container gets "permission denied"`, fix);
    }
    return pass(check, `${step.path} belongs to ${step.owner} (uid ${expected})`);
  });
}

function expectedUid(owner: string, uid: number, subuidStart: number | undefined): number | undefined {
  if (owner === 'user') return uid;
  const host = /^(\d+):\d+$/.exec(owner);
  if (host) return Number(host[1]);
  const n = Number(/^container:(\d+)/.exec(owner)?.[1]);
  if (n === 0) return uid;
  return subuidStart === undefined ? undefined : subuidStart + n - 1;
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** stack.yml mounts.required are mounted: otherwise the containers write into the empty mount point. */
export function requiredMounts(target: StackTarget, facts: MachineFacts): CheckResult[] {
  const required = target.stack.manifest.mounts.required;
  if (required.length === 0) return [];
  const missing = missingMounts(required, facts.mountinfoFile);
  const check = `${target.stack.name}: mounts`;
  if (missing.length) return [fail(check, `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not mounted`, `mount ${missing.join(' ')} (check /etc/fstab or its .mount unit); slow network mounts belong in mounts.optional`)];
  return [pass(check, `${required.join(', ')} mounted`)];
}

/**
 * Published ports and stack.yml firewall: rootless Podman cannot open the firewall itself, so a
 * port published beyond loopback must be declared, and a declared port should be published.
 */
export function firewallPorts(target: StackTarget): CheckResult[] {
  const check = `${target.stack.name}: firewall`;
  const declared = { tcp: new Set(target.stack.manifest.firewall.tcp), udp: new Set(target.stack.manifest.firewall.udp) };
  const published = { tcp: new Set<number>(), udp: new Set<number>() };
  const out: CheckResult[] = [];
  for (const [name, s] of Object.entries(target.deployment.project.services)) {
    for (const p of s.config.ports) {
      if (p.published === undefined || p.protocol === 'sctp') continue;
      if (p.host_ip && /^(127\.|::1$|localhost$)/.test(p.host_ip)) continue;
      published[p.protocol].add(p.published);
      if (!declared[p.protocol].has(p.published)) out.push(warn(check, `${name} publishes ${p.published}/${p.protocol} on every address, but stack.yml does not declare it: the firewall blocks it`, `add it to stack.yml (firewall: { ${p.protocol}: [${p.published}] }), or publish on 127.0.0.1 only`));
    }
  }
  for (const proto of ['tcp', 'udp'] as const) {
    for (const port of declared[proto]) {
      if (!published[proto].has(port) && !proxied(target, port)) out.push(warn(check, `stack.yml opens ${port}/${proto}, but no service publishes it`, 'remove it from firewall:, or publish the port'));
    }
  }
  return out.length ? out : [pass(check, 'published ports and declared firewall ports agree')];
}

/** A firewall port may be for a reverse proxy the stack runs in host networking. */
function proxied(target: StackTarget, port: number): boolean {
  return Object.values(target.deployment.project.services).some((s) => s.config.network_mode === 'host' && s.config.expose.some((e) => e.split('/')[0] === String(port)));
}

/** The stack's unit is active, where berth's units are installed and systemd answers. */
export async function stackUnit(target: StackTarget, facts: MachineFacts): Promise<CheckResult[]> {
  const unit = installedUnit(target.stack.name, facts.home);
  if (!unit || !facts.systemd) return [];
  const state = await unitActiveState(unit.unit);
  const check = `${target.stack.name}: unit`;
  if (state === 'active') return [pass(check, `${unit.unit} is active`)];
  return [fail(check, `${unit.unit} is ${state}`, `journalctl --user -u ${unit.unit} -e; then systemctl --user restart ${unit.unit}`)];
}

/** Every container of the stack runs and is not unhealthy. */
export async function containersHealthy(target: StackTarget, facts: MachineFacts): Promise<CheckResult[]> {
  const check = `${target.stack.name}: containers`;
  let observed;
  try {
    observed = await observeProject(facts.engine, target.deployment.project.name);
  } catch (e) {
    return [warn(check, `could not list containers: ${(e as Error).message}`, 'see the engine check')];
  }
  if (observed.length === 0) return [warn(check, 'no container of this stack exists', `berth up ${target.stack.name}`)];
  const oneShots = new Set(Object.values(target.deployment.project.services).flatMap((s) => Object.entries(s.config.depends_on).filter(([, d]) => d.condition === 'service_completed_successfully').map(([dep]) => dep)));
  const bad = observed.filter((o) => o.health === 'unhealthy' || (!o.running && !(o.exitCode === 0 && oneShots.has(o.service ?? ''))));
  if (bad.length) return [fail(check, bad.map((o) => `${o.name} ${o.health === 'unhealthy' ? 'is unhealthy' : `is ${o.state}${o.state === 'exited' ? ` (code ${o.exitCode})` : ''}`}`).join(', '), `berth logs ${target.stack.name}; berth up ${target.stack.name} replaces stuck containers`)];
  // A restart policy hides a crash loop: the container runs, between crashes.
  const looping = observed.filter((o) => o.restartCount > 0);
  if (looping.length) return [warn(check, looping.map((o) => `${o.name} was restarted ${o.restartCount} time${o.restartCount === 1 ? '' : 's'} by its restart policy`).join(', '), `berth logs ${target.stack.name} SERVICE: find why it exits`)];
  const runningCount = observed.filter((o) => o.running).length;
  const completed = observed.length - runningCount;
  return [pass(check, `${runningCount} container${runningCount === 1 ? '' : 's'} running${completed ? `, ${completed} completed` : ''}${observed.some((o) => o.health === 'healthy') ? ', healthy where checked' : ''}`)];
}
