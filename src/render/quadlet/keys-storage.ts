import { relative } from 'node:path';
import { isInside } from '../../util/fs.js';
import type { ServiceFileRef, VolumeMount } from '../../model/compose.js';
import { hostEnv } from '../../config/variables.js';
import { artifact } from '../artifact.js';
import { rel } from '../layout.js';
import { resolveDirPath } from '../stack-common.js';
import { execWord } from '../unit-file.js';
import { qualifiedImage } from './names.js';
import type { KeyRule, ServiceRender } from './service-render.js';
import { asBool, asNumber, asString, asStrings } from './values.js';

const volumes: KeyRule = {
  keys: ['volumes', 'tmpfs', 'volumes_from'],
  render(s) {
    if (s.has('volumes')) {
      const done: string[] = [];
      for (const m of s.config.volumes) {
        const shown = mount(s, m);
        if (shown) done.push(shown);
      }
      if (done.length) s.note('volumes', 'mapped', done.join('; '));
    }
    if (s.has('tmpfs')) {
      for (const t of s.config.tmpfs) s.set(s.container, 'Tmpfs', 'tmpfs', t);
      s.note('tmpfs', 'mapped', `Tmpfs=${s.config.tmpfs.join(' ')}`);
    }
    if (s.has('volumes_from')) {
      for (const from of asStrings(s.config.volumes_from)) {
        const external = from.startsWith('container:');
        const [ref, mode] = (external ? from.slice('container:'.length) : from).split(':') as [string, string | undefined];
        const name = external ? ref : s.containerOf(ref);
        if (name === undefined) {
          s.note('volumes_from', 'refused', `service ${ref} is not part of the project on ${s.ctx.host.name}`);
          continue;
        }
        if (!external) s.unit.push(['Requires', s.unitOf(ref)], ['After', s.unitOf(ref)]);
        s.podman(`--volumes-from=${name}${mode ? `:${mode}` : ''}`);
        s.note('volumes_from', 'mapped', `PodmanArgs=--volumes-from=${name}${mode ? `:${mode}` : ''}`);
      }
    }
  },
};

/** One volumes entry as Volume=, Mount=, Tmpfs= or PodmanArgs=; returns what it became, for the note. */
function mount(s: ServiceRender, m: VolumeMount): string | undefined {
  if (m.consistency !== undefined) s.note('volumes', 'ignored', `consistency ${m.consistency} ${m.target}: only Docker Desktop on macOS uses it`);
  if (!m.target || !m.type) {
    s.note('volumes', 'refused', `a mount with an empty ${m.target ? 'type' : 'target'} (a variable that is not set?)`);
    return undefined;
  }
  if (m.target.includes(':')) {
    s.note('volumes', 'refused', `the container path ${m.target} holds ":", which podman's volume syntax cannot carry`);
    return undefined;
  }
  switch (m.type) {
    case 'bind':
      return bind(s, m);
    case 'volume':
      return volume(s, m);
    case 'tmpfs': {
      const opts: string[] = [];
      if (m.read_only) opts.push('ro');
      if (m.tmpfs?.size !== undefined) opts.push(`size=${m.tmpfs.size}`);
      // Compose reads the mode as a number and hands it on as file mode bits.
      if (m.tmpfs?.mode !== undefined) opts.push(`mode=${(asNumber(m.tmpfs.mode) ?? 0).toString(8)}`);
      const spec = `${m.target}${opts.length ? `:${opts.join(',')}` : ''}`;
      return s.set(s.container, 'Tmpfs', 'volumes', spec) ? `Tmpfs=${spec}` : undefined;
    }
    case 'image': {
      const spec = `type=image,source=${qualifiedImage(m.source ?? '')},destination=${m.target}`;
      s.container.push(['Mount', execWord(spec)]);
      return `Mount=${spec}`;
    }
    default:
      s.note('volumes', 'refused', `a ${m.type} mount (${m.target}) exists only on ${m.type === 'npipe' ? 'Windows' : 'Swarm or Docker Desktop'}`);
      return undefined;
  }
}

function bind(s: ServiceRender, m: VolumeMount): string | undefined {
  const source = hostSource(s, m.source ?? '');
  if (source.includes(':')) {
    s.note('volumes', 'refused', `the host path ${source} holds ":", which podman's volume syntax cannot carry`);
    return undefined;
  }
  const opts: string[] = [];
  if (m.read_only) opts.push('ro');
  if (m.bind?.selinux) opts.push(m.bind.selinux);
  if (m.bind?.propagation) opts.push(m.bind.propagation);
  opts.push(...(m.options ?? []));
  const spec = `${source}:${m.target}${opts.length ? `:${opts.join(',')}` : ''}`;
  const optional = s.ctx.stack.manifest.mounts.optional.find((p) => isInside(p, source));
  if (optional !== undefined || /\s/.test(source)) {
    // Quadlet adds RequiresMountsFor= for every Volume= source, a hard dependency that would fail
    // the container when an optional mount (stack.yml mounts.optional) is down at boot; and it
    // writes a path with blanks there unquoted. PodmanArgs= bypasses both.
    s.podman('-v', spec);
    if (optional !== undefined) s.note('volumes', 'mapped', `${source} is under the optional mount ${optional}: PodmanArgs=-v, so the container does not require the mount (its automount mounts it on first access)`);
  } else if (!s.set(s.container, 'Volume', 'volumes', spec)) return undefined;
  const shown = optional !== undefined || /\s/.test(source) ? `PodmanArgs=-v ${spec}` : `Volume=${spec}`;
  if (m.bind?.create_host_path === false) s.note('volumes', 'mapped', `${source}: create_host_path false, as Podman never creates a bind source`);
  else if (!willExist(s, m.source ?? '', source)) {
    s.note('volumes', 'approximated', `${source} must exist before the container starts: Podman does not create a missing bind source as compose does (list it under dirs: in stack.yml)`);
  }
  return shown;
}

/** A bind source as a host path: a file of the stack folder where berth ships it, `~` in the user's home. */
function hostSource(s: ServiceRender, source: string): string {
  if (source === '~' || source.startsWith('~/')) return `${s.ctx.layout.home}${source.slice(1)}`;
  return s.ctx.common.hostPath(source);
}

/** Whether a bind source is there at start: shipped with the stack, prepared from dirs:, or under the runtime dir (sockets). */
function willExist(s: ServiceRender, repoPath: string, source: string): boolean {
  if (s.ctx.common.hostPath(repoPath) !== repoPath) return true;
  const env = hostEnv(s.ctx.host);
  if (isInside(s.ctx.layout.runtimeDir, source)) return true;
  return s.ctx.stack.manifest.dirs.some((d) => {
    const path = resolveDirPath(d, env);
    return path !== undefined && isInside(path, source);
  });
}

function volume(s: ServiceRender, m: VolumeMount): string | undefined {
  let source: string | undefined;
  if (m.source !== undefined) {
    source = s.plan.volumeRefs.get(m.source);
    if (source === undefined) {
      s.note('volumes', 'refused', `volume ${m.source} is not rendered (see the note on volumes.${m.source}), so ${m.target} cannot mount it`);
      return undefined;
    }
  }
  const opts: string[] = [];
  if (m.read_only) opts.push('ro');
  if (m.volume?.nocopy) opts.push('nocopy');
  opts.push(...(m.options ?? []));
  if (m.volume?.subpath !== undefined || (source === undefined && opts.length)) {
    // Only --mount can name a subpath, or give options to an anonymous volume.
    const fields = ['type=volume', ...(source === undefined ? [] : [`source=${source}`]), `destination=${m.target}`];
    if (m.read_only) fields.push('ro');
    if (m.volume?.subpath !== undefined) fields.push(`subpath=${m.volume.subpath}`);
    if (m.options?.includes('U')) fields.push('U=true');
    const extra = [...(m.volume?.nocopy ? ['nocopy'] : []), ...(m.options ?? []).filter((o) => o !== 'U')];
    if (extra.length) s.note('volumes', 'ignored', `${extra.join(', ')} on ${m.target}: podman's --mount has no such volume option`);
    const spec = fields.join(',');
    s.container.push(['Mount', execWord(spec)]);
    return `Mount=${spec}`;
  }
  const spec = source === undefined ? m.target : `${source}:${m.target}${opts.length ? `:${opts.join(',')}` : ''}`;
  return s.set(s.container, 'Volume', 'volumes', spec) ? `Volume=${spec}` : undefined;
}

const files: KeyRule = {
  keys: ['secrets', 'configs'],
  render(s) {
    for (const kind of ['secrets', 'configs'] as const) {
      if (!s.has(kind)) continue;
      for (const ref of s.config[kind]) fileRef(s, kind, ref);
    }
  },
};

/**
 * A compose secret or config as compose makes it without Swarm: the file, bind-mounted read-only
 * at /run/secrets/<name> (secrets) or /<name> (configs).
 */
function fileRef(s: ServiceRender, kind: 'secrets' | 'configs', ref: ServiceFileRef): void {
  const top = s.plan.project[kind][ref.source];
  const what = `${kind.slice(0, -1)} ${ref.source}`;
  if (!top) {
    s.note(kind, 'refused', `${what} is not declared at the top level`);
    return;
  }
  const c = top.config;
  const target = !ref.target ? (kind === 'secrets' ? `/run/secrets/${ref.source}` : `/${ref.source}`) : ref.target.startsWith('/') ? ref.target : kind === 'secrets' ? `/run/secrets/${ref.target}` : `/${ref.target}`;
  let source: string | undefined;
  const file = asString(c.file);
  const content = asString(c.content);
  if (file !== undefined && kind === 'secrets' && isInside(s.ctx.stack.dir, file)) {
    // The file is the secret in clear: shipping it would write it outside the runtime dir.
    s.note(kind, 'refused', `${what} is a plain file in the stack folder (${relative(s.ctx.stack.dir, file)}), and berth ships no secret in clear: put its value in secrets/<name>.env.age and pass it through environment:, or keep the file on the host and name it by absolute path`);
    return;
  }
  if (file !== undefined) source = hostSource(s, file);
  else if (content !== undefined && kind === 'configs') {
    // Inline content is no secret (compose has no inline secrets): shipped beside the stack.
    source = `${s.ctx.layout.shareDir}/configs/${s.stack}/${ref.source}`;
    s.artifacts.push(artifact(rel(source), content));
  } else if (asBool(c.external)) {
    s.note(kind, 'refused', `${what} is external (a Swarm ${kind.slice(0, -1)}); declare it with file: instead`);
    return;
  } else if (c.environment !== undefined) {
    s.note(kind, 'refused', `${what} comes from variable ${asString(c.environment)}, which berth cannot write to a file without putting it outside the runtime dir; use a file (or an age-encrypted secret and environment:)`);
    return;
  } else {
    s.note(kind, 'refused', `${what} has neither file nor content`);
    return;
  }
  if (source.includes(':') || target.includes(':')) {
    s.note(kind, 'refused', `${what}: ":" in ${source}:${target} cannot be carried by podman's volume syntax`);
    return;
  }
  if (!s.set(s.container, 'Volume', kind, `${source}:${target}:ro`)) return;
  const owner = ref.uid !== undefined || ref.gid !== undefined || ref.mode !== undefined;
  const shipped = file === undefined || source !== file || !file.startsWith(`${s.ctx.repo.dir}/`);
  if (!shipped) s.note(kind, 'approximated', `${what}: ${relative(s.ctx.repo.dir, file)} is outside the stack folder, which is all berth ships; it must exist at ${source} on the host`);
  else if (owner) s.note(kind, 'approximated', `${what} → ${target} (read-only bind): a bind mount keeps the file's own owner and mode, so uid/gid/mode are not applied`);
  else s.note(kind, 'mapped', `${what} → ${target} (read-only bind of ${source})`);
}

const filesystem: KeyRule = {
  keys: ['read_only', 'shm_size'],
  render(s) {
    if (s.has('read_only')) {
      const ro = asBool(s.config.read_only) ?? false;
      if (ro) s.container.push(['ReadOnly', true]);
      s.note('read_only', 'mapped', ro ? 'ReadOnly=yes (Podman also mounts writable tmpfs on /dev, /dev/shm, /run, /tmp and /var/tmp, as --read-only-tmpfs does by default)' : 'false: nothing to add');
    }
    const shm = asString(s.config.shm_size);
    if (s.has('shm_size') && shm !== undefined && s.set(s.container, 'ShmSize', 'shm_size', shm)) s.note('shm_size', 'mapped', `ShmSize=${shm}`);
  },
};


export const STORAGE_RULES: KeyRule[] = [volumes, files, filesystem];
