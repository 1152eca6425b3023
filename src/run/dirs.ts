import { chmodSync, chownSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { isInside } from '../util/fs.js';
import { hostEnv } from '../config/variables.js';
import type { ComposeProject } from '../model/compose.js';
import type { Host, Repo, Stack } from '../model/repo.js';
import { resolveDirPath } from '../render/stack-common.js';
import type { Engine } from './engine.js';
import { must } from './engine.js';
import { RunError } from './errors.js';

/** One directory of stack.yml `dirs:` as this host sees it. */
export interface DirStep {
  path: string;
  /** As written: "user", "container:N[:G]" or "UID:GID". */
  owner: string;
  /** Octal, e.g. "0700". */
  mode?: string;
  /** The network root (NFS) it is inside, if any: created, never chowned. */
  networkRoot?: string;
}

/** The stack's directories with the host's roots filled in; a path that does not resolve is an error. */
export function dirSteps(repo: Repo, host: Host, stack: Stack): DirStep[] {
  const env = hostEnv(host);
  const roots = repo.config.networkRoots.map((r) => env[r]).filter((r): r is string => r !== undefined);
  return stack.manifest.dirs.map((d) => {
    const path = resolveDirPath(d, env);
    if (path === undefined || !path.startsWith('/')) throw new RunError(`dirs entry ${d.path} does not resolve to an absolute path on host ${host.name}`);
    const step: DirStep = { path, owner: d.owner };
    if (d.mode) step.mode = d.mode;
    const root = roots.find((r) => isInside(r, path));
    if (root) step.networkRoot = root;
    return step;
  });
}

/** Host paths of bind mounts compose would create when missing (create_host_path defaults to true). */
export function bindSources(project: ComposeProject): string[] {
  const out = new Set<string>();
  for (const s of Object.values(project.services)) {
    for (const v of s.config.volumes) if (v.type === 'bind' && v.source && v.bind?.create_host_path !== false) out.add(v.source);
  }
  return [...out].sort();
}

export interface PrepareContext {
  engine: Engine;
  /** The uid berth runs as: 0 is rootful, anything else rootless. */
  uid: number;
  warn: (message: string) => void;
  /** The stack's compose project: which services mount each directory, and how. */
  project: ComposeProject;
  /** Services whose containers this run creates or recreates. */
  creating: ReadonlySet<string>;
}

/** Who bind-mounts a directory: the services, and whether one mount has `:U` (Podman then owns its ownership). */
function dirUse(project: ComposeProject, path: string): { services: string[]; engineOwned: boolean } {
  const services: string[] = [];
  let engineOwned = false;
  for (const [name, s] of Object.entries(project.services)) {
    for (const v of s.config.volumes) {
      if (v.type !== 'bind' || v.source !== path) continue;
      services.push(name);
      if (v.options?.includes('U')) engineOwned = true;
    }
  }
  return { services, engineOwned };
}

/**
 * Creates missing directories with the owner the container needs. Rootless, container ids map
 * through the user's subuid range, so the chown happens inside the user namespace (`podman unshare
 * chown`, seed 004 scenario 1): "user" is container root, i.e. the user itself. Like the rendered
 * units, only the directory itself is ever chowned, never what is in it (that is the data of a
 * running database). An existing directory is left alone unless a container that mounts it is
 * about to be created, and then only its own owner and mode are set; a directory mounted with
 * `:U` is never touched once it exists, as Podman gives it to the container's user at each start.
 * Inside a network root berth only creates the directory and says so: NFS cannot remap owners.
 */
export async function prepareDirs(steps: readonly DirStep[], ctx: PrepareContext): Promise<void> {
  for (const step of steps) {
    const existed = existsSync(step.path);
    makeDir(step.path);
    if (step.networkRoot) {
      if (!existed && (step.owner !== 'user' || step.mode)) ctx.warn(`${step.path} is inside the network root ${step.networkRoot}: created, not chowned or chmodded (NFS cannot remap owners); the export must be writable by the user`);
      continue;
    }
    if (existed) {
      const use = dirUse(ctx.project, step.path);
      if (use.engineOwned || !use.services.some((s) => ctx.creating.has(s))) continue;
    }
    await setOwner(step, ctx);
  }
}

/** The directory's own owner and mode, not recursive; an owner or mode that is already right is left as it is. */
async function setOwner(step: DirStep, ctx: PrepareContext): Promise<void> {
  const container = /^container:(\d+)(?::(\d+))?$/.exec(step.owner);
  const host = /^(\d+):(\d+)$/.exec(step.owner);
  if (host) chownHost(step.path, Number(host[1]), Number(host[2]));
  else if (ctx.uid === 0) {
    if (container) chownHost(step.path, Number(container[1]), Number(container[2] ?? container[1]));
    if (step.mode) chmodSync(step.path, parseInt(step.mode, 8));
  } else if (ctx.engine.kind === 'podman') {
    const target = container ? `${container[1]}:${container[2] ?? container[1]}` : '0:0';
    const seen = (await must(ctx.engine, ['unshare', 'stat', '-c', '%u:%g %a', step.path], `could not read the owner of ${step.path}`)).trim().split(' ');
    if (seen[0] !== target) await must(ctx.engine, ['unshare', 'chown', target, step.path], `could not give ${step.path} to container uid ${target} (a directory owned by real root blocks this: chown it to the user once as root)`);
    if (step.mode && seen[1] !== String(parseInt(step.mode, 8).toString(8))) await must(ctx.engine, ['unshare', 'chmod', step.mode, step.path], `could not set mode ${step.mode} on ${step.path}`);
  } else if (container) ctx.warn(`${step.path}: owner ${step.owner} needs Podman's user namespace (podman unshare) or root; left as it is`);
}

/** Missing bind-mount sources, created as compose does; an existing path is never touched. */
export function makeBindSources(paths: readonly string[]): void {
  for (const p of paths) if (!existsSync(p)) makeDir(p);
}

function makeDir(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new RunError(`could not create ${path}: ${err.code === 'EACCES' ? 'permission denied (create it once as root and give it to the user: mkdir -p DIR && chown USER: DIR)' : err.message}`);
  }
}

function chownHost(path: string, uid: number, gid: number): void {
  const st = statSync(path);
  if (st.uid === uid && st.gid === gid) return;
  try {
    chownSync(path, uid, gid);
  } catch {
    throw new RunError(`could not give ${path} to ${uid}:${gid}: only root can; run once: sudo chown ${uid}:${gid} ${path}`);
  }
}

