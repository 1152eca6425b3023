import shellQuote from 'shell-quote';
import { sharedNetworkOf } from '../compose/waits.js';
import type { ComposeProject, Healthcheck, PortMapping, ServiceConfig, VolumeMount } from '../model/compose.js';
import { parseDotenv } from '../source/dotenv.js';
import { qualifiedImage } from '../render/quadlet/names.js';
import { shQuote } from '../render/unit-file.js';
import { durationMs } from './duration.js';
import { containerName, LABEL, networkName, serviceNetworkKeys, volumeName } from './naming.js';
import { hasSecret } from '../config/secret-placeholder.js';
import type { EngineKind } from './engine.js';

export interface ServiceRunSpec {
  engine: EngineKind;
  project: ComposeProject;
  stack: string;
  service: string;
  /** serviceConfigHash of the service, stamped as a label. */
  configHash: string;
  /** Contents of the service's env_file entries by path, read by the caller; undefined for a file that is missing. */
  envFiles: Readonly<Record<string, string | undefined>>;
  /** Where the runner writes the service's secret environment just before creating it (secretEnvPath). */
  secretEnvFile: string;
}

/** How to create one service's container: the engine arguments, and what they leave out. */
export interface CreateCommand {
  name: string;
  image: string;
  /** `create ...`, without secret values: those are in secretEnv. */
  args: string[];
  /** Environment entries that read secrets (`KEY` → value with `<secret NAME.VAR>` placeholders), passed in an env file in the runtime dir. */
  secretEnv: Record<string, string>;
  /** That env file: written (0600) right before `create`, removed right after. */
  secretEnvFile: string;
  /** Compose keys the direct runner does not apply, one line each. */
  notes: string[];
  /** Why the service cannot be created at all; empty when it can. */
  errors: string[];
}

/**
 * The `podman create` (or `docker create`) arguments for one compose service: a pure function of
 * the model, so what berth runs can be read and tested without an engine. Secret values never
 * appear in the arguments (they would show in `ps` and in error messages): entries that read a
 * secret go to `secretEnv`, which the runner writes to an env file in the runtime dir (tmpfs,
 * this user's only) for the moment of `create`.
 */
export function createCommand(spec: ServiceRunSpec): CreateCommand {
  const { project, service } = spec;
  const c = project.services[service]!.config;
  const name = containerName(project, service);
  // The name the rendered unit runs: a short name would go through Podman's short-name resolution.
  const image = c.image ? qualifiedImage(c.image) : '';
  const out: CreateCommand = { name, image, args: ['create', '--name', name], secretEnv: {}, secretEnvFile: spec.secretEnvFile, notes: [], errors: [] };
  const add = (...a: string[]) => out.args.push(...a);

  if (!c.image) out.errors.push(c.build ? 'it has a build section and no image: build it first (podman build -t NAME CONTEXT) and name that image in the compose file' : 'it has no image');

  for (const [k, v] of Object.entries({ ...c.labels, [LABEL.project]: project.name, [LABEL.service]: service, [LABEL.stack]: spec.stack, [LABEL.config]: spec.configHash })) add('--label', `${k}=${v}`);
  for (const [k, v] of Object.entries(c.annotations)) add('--annotation', `${k}=${v}`);

  environment(spec, c, out);
  networking(spec, c, out);
  for (const p of c.ports) add('-p', portArg(p));
  for (const e of c.expose) add('--expose', e);
  for (const v of c.volumes) volumeArgs(project, v, spec.engine, out);
  for (const t of c.tmpfs) add('--tmpfs', t);
  fileMounts(project, c, out);
  volumesFrom(project, c, out);
  healthcheck(c.healthcheck, out);
  simpleFlags(c, out);

  const command = words(c.command, 'command', out);
  const entrypoint = c.entrypoint === undefined ? undefined : words(c.entrypoint, 'entrypoint', out);
  if (entrypoint !== undefined) add('--entrypoint', entrypoint.length ? JSON.stringify(entrypoint) : '');
  unsupported(c, out);
  for (const key of Object.keys(c)) if (!HANDLED.has(key)) out.notes.push(`${key}: not applied when berth runs the stack directly`);
  for (const key of ['command', 'entrypoint', 'labels', 'healthcheck', 'volumes', 'user', 'working_dir', 'hostname']) {
    if (hasSecret(c[key])) out.errors.push(`${key} reads a secret: berth passes secrets to containers only as environment variables, so they never show in the engine's arguments or labels`);
  }
  add(image);
  if (command) add(...command);
  return out;
}

function environment(spec: ServiceRunSpec, c: ServiceConfig, out: CreateCommand): void {
  const env: Record<string, string> = {};
  for (const f of c.env_file) {
    const text = spec.envFiles[f.path];
    if (text === undefined) {
      if (f.required) out.errors.push(`its env_file ${f.path} does not exist`);
      continue;
    }
    for (const [k, v] of parseDotenv(text, f.path).vars) env[k] = v;
  }
  for (const [k, v] of Object.entries(c.environment)) {
    // `KEY` without a value takes the caller's environment in compose; a stack must not depend on who runs it.
    if (v === null) out.notes.push(`environment.${k}: has no value, so it is not set (berth does not pass its own environment on)`);
    else env[k] = v;
  }
  for (const [k, v] of Object.entries(env)) {
    if (hasSecret(v)) out.secretEnv[k] = v;
    else out.args.push('-e', `${k}=${v}`);
  }
  if (Object.keys(out.secretEnv).length) out.args.push('--env-file', out.secretEnvFile);
}

function networking(spec: ServiceRunSpec, c: ServiceConfig, out: CreateCommand): void {
  const { project, service } = spec;
  const mode = c.network_mode;
  if (mode !== undefined) {
    const shared = sharedNetworkOf(c);
    out.args.push('--network', shared ? `container:${containerName(project, shared)}` : mode);
    return;
  }
  for (const key of serviceNetworkKeys(project, service)) {
    const opts = c.networks[key] ?? {};
    // Compose makes every service reachable by its name on each network it joins.
    const aliases = [...new Set([service, ...(opts.aliases ?? [])])];
    const parts = aliases.map((a) => `alias=${a}`);
    if (opts.ipv4_address) parts.push(`ip=${opts.ipv4_address}`);
    if (opts.ipv6_address) parts.push(`ip6=${opts.ipv6_address}`);
    const net = networkName(project, key);
    out.args.push('--network', spec.engine === 'podman' ? `${net}:${parts.join(',')}` : net);
    if (spec.engine === 'docker') for (const a of aliases) out.args.push('--network-alias', a);
  }
}

export function portArg(p: PortMapping): string {
  const ip = p.host_ip ? (p.host_ip.includes(':') ? `[${p.host_ip}]` : p.host_ip) : '';
  const host = p.published === undefined ? (ip ? `${ip}::` : '') : `${ip ? `${ip}:` : ''}${p.published}:`;
  return `${host}${p.target}/${p.protocol}`;
}

function volumeArgs(project: ComposeProject, v: VolumeMount, engine: EngineKind, out: CreateCommand): void {
  if (v.type === 'tmpfs') {
    const o = [v.tmpfs?.size !== undefined ? `size=${v.tmpfs.size}` : '', v.tmpfs?.mode !== undefined ? `mode=${v.tmpfs.mode.toString(8)}` : ''].filter(Boolean);
    out.args.push('--tmpfs', o.length ? `${v.target}:${o.join(',')}` : v.target);
    return;
  }
  if (v.type !== 'bind' && v.type !== 'volume') {
    out.notes.push(`volumes: a ${v.type} mount at ${v.target} is not applied`);
    return;
  }
  const opts: string[] = [];
  if (v.read_only) opts.push('ro');
  if (v.bind?.selinux) opts.push(v.bind.selinux);
  if (v.bind?.propagation) opts.push(v.bind.propagation);
  if (v.volume?.nocopy) opts.push('nocopy');
  for (const o of v.options ?? []) {
    if (o === 'U' && engine === 'docker') out.notes.push(`volumes: ${v.target}: U is a Podman option; Docker does not chown mounts`);
    else opts.push(o);
  }
  if (v.volume?.subpath) out.notes.push(`volumes: ${v.target}: subpath is not applied`);
  const source = v.source === undefined ? undefined : v.type === 'volume' ? volumeName(project, v.source) : v.source;
  if (source?.includes(':')) {
    out.errors.push(`the volume source ${source} contains ":", which the engine cannot parse`);
    return;
  }
  const spec = source === undefined ? v.target : `${source}:${v.target}`;
  out.args.push('-v', opts.length ? `${spec}:${opts.join(',')}` : spec);
}

/** Compose secrets and configs backed by files: read-only bind mounts where compose puts them. */
function fileMounts(project: ComposeProject, c: ServiceConfig, out: CreateCommand): void {
  for (const [kind, refs, defs] of [
    ['secrets', c.secrets, project.secrets],
    ['configs', c.configs, project.configs],
  ] as const) {
    for (const ref of refs) {
      const file = defs[ref.source]?.config.file;
      if (typeof file !== 'string') {
        out.notes.push(`${kind}.${ref.source}: only file-backed ${kind} are mounted`);
        continue;
      }
      // Secrets go under /run/secrets, configs under / (as compose, and render, put them).
      const base = kind === 'secrets' ? '/run/secrets/' : '/';
      const name = ref.target ?? ref.source;
      const target = name.startsWith('/') ? name : `${base}${name}`;
      out.args.push('-v', `${file}:${target}:ro`);
    }
  }
}

function healthcheck(h: Healthcheck | undefined, out: CreateCommand): void {
  if (!h) return;
  const test = h.test;
  if (h.disable || test?.[0] === 'NONE') {
    out.args.push('--no-healthcheck');
    return;
  }
  if (!test || test.length < 2) {
    if (h.interval || h.retries !== undefined || h.timeout || h.start_period) out.notes.push('healthcheck: timings without a test are not applied (the engine needs the test with them)');
    return;
  }
  // Podman reads a JSON array starting with CMD-SHELL as a shell command, and an array of two or
  // more words as a plain command; a single word goes through the shell, quoted.
  const cmd = test[0] === 'CMD-SHELL' ? ['CMD-SHELL', test.slice(1).join(' ')] : test.length > 2 ? test.slice(1) : ['CMD-SHELL', shQuote(test[1]!)];
  // Podman 4 reads a one-word array as a shell command too (checked on 4.3): say the image needs a shell.
  if (test[0] !== 'CMD-SHELL' && test.length === 2) out.notes.push(`healthcheck: the one-word test ${JSON.stringify(test[1])} runs through /bin/sh (a Podman limitation), so the image needs a shell; add an argument to run it directly`);
  out.args.push('--health-cmd', JSON.stringify(cmd));
  if (h.interval) out.args.push('--health-interval', h.interval);
  if (h.timeout) out.args.push('--health-timeout', h.timeout);
  if (h.start_period) out.args.push('--health-start-period', h.start_period);
  if (h.retries !== undefined) out.args.push('--health-retries', String(h.retries));
  if (h.start_interval) out.notes.push('healthcheck.start_interval: not applied');
}

/** Keys that map to one engine flag each. */
function simpleFlags(c: ServiceConfig, out: CreateCommand): void {
  const add = (...a: string[]) => out.args.push(...a);
  const str = (key: string, flag: string) => {
    const v = c[key];
    if (typeof v === 'string' || typeof v === 'number') add(flag, String(v));
  };
  const list = (key: string, flag: string) => {
    const v = c[key];
    if (Array.isArray(v)) for (const x of v) add(flag, String(x));
  };
  const bool = (key: string, flag: string) => {
    if (c[key] === true) add(flag);
  };
  str('user', '--user');
  str('working_dir', '--workdir');
  str('hostname', '--hostname');
  str('domainname', '--domainname');
  str('restart', '--restart');
  str('stop_signal', '--stop-signal');
  str('shm_size', '--shm-size');
  str('mem_limit', '--memory');
  str('memswap_limit', '--memory-swap');
  str('mem_reservation', '--memory-reservation');
  str('cpus', '--cpus');
  str('cpu_shares', '--cpu-shares');
  str('cpuset', '--cpuset-cpus');
  str('pids_limit', '--pids-limit');
  str('ipc', '--ipc');
  str('pid', '--pid');
  str('userns_mode', '--userns');
  str('cgroup_parent', '--cgroup-parent');
  str('oom_score_adj', '--oom-score-adj');
  str('mac_address', '--mac-address');
  str('platform', '--platform');
  list('cap_add', '--cap-add');
  list('cap_drop', '--cap-drop');
  list('security_opt', '--security-opt');
  list('group_add', '--group-add');
  list('dns_opt', '--dns-option');
  for (const d of c.dns) add('--dns', d);
  for (const d of c.dns_search) add('--dns-search', d);
  bool('privileged', '--privileged');
  bool('read_only', '--read-only');
  bool('init', '--init');
  bool('tty', '--tty');
  bool('stdin_open', '--interactive');
  bool('oom_kill_disable', '--oom-kill-disable');
  for (const [host, ip] of Object.entries(c.extra_hosts)) add('--add-host', `${host}:${ip}`);
  for (const [k, l] of Object.entries(c.ulimits)) add('--ulimit', `${k}=${l.soft}:${l.hard}`);
  for (const [k, v] of Object.entries(c.sysctls)) add('--sysctl', `${k}=${v}`);
  const grace = durationMs(c.stop_grace_period as string | undefined);
  if (grace !== undefined) add('--stop-timeout', String(Math.ceil(grace / 1000)));
  const pull = c.pull_policy;
  if (pull === 'always' || pull === 'never' || pull === 'missing' || pull === 'newer') add('--pull', pull);
  else if (pull === 'if_not_present') add('--pull', 'missing');
  const devices = c.devices;
  if (Array.isArray(devices)) {
    for (const d of devices) {
      if (typeof d === 'string') add('--device', d);
      else if (d && typeof d === 'object' && 'source' in d) {
        const dev = d as { source: string; target?: string; permissions?: string };
        add('--device', [dev.source, dev.target ?? dev.source, dev.permissions].filter(Boolean).join(':'));
      }
    }
  }
  const logging = c.logging as { driver?: string; options?: Record<string, string> } | undefined;
  if (logging?.driver) add('--log-driver', logging.driver);
  for (const [k, v] of Object.entries(logging?.options ?? {})) add('--log-opt', `${k}=${v}`);
  const limits = (c.deploy as { resources?: { limits?: { cpus?: string | number; memory?: string; pids?: number } } } | undefined)?.resources?.limits;
  if (limits?.cpus !== undefined && c.cpus === undefined) add('--cpus', String(limits.cpus));
  if (limits?.memory !== undefined && c.mem_limit === undefined) add('--memory', limits.memory);
  if (limits?.pids !== undefined && c.pids_limit === undefined) add('--pids-limit', String(limits.pids));
}

/** volumes_from: a service by its container's name (`db:ro` → `<project>-db:ro`), `container:name` as it is. */
function volumesFrom(project: ComposeProject, c: ServiceConfig, out: CreateCommand): void {
  for (const v of Array.isArray(c.volumes_from) ? (c.volumes_from as unknown[]).map(String) : []) {
    if (v.startsWith('container:')) {
      out.args.push('--volumes-from', v.slice('container:'.length));
      continue;
    }
    const [name, ...mode] = v.replace(/^service:/, '').split(':');
    out.args.push('--volumes-from', [project.services[name!] ? containerName(project, name!) : name, ...mode].join(':'));
  }
}

/** Keys berth runs without, said the way render says them: replicas refused, build and links left out. */
function unsupported(c: ServiceConfig, out: CreateCommand): void {
  if (c.build && c.image) out.notes.push(`build: not run (berth up does not build images); it runs ${c.image} as it is on this machine: build it first (podman build -t ${c.image} CONTEXT)`);
  const deploy = c.deploy as { replicas?: unknown } | undefined;
  for (const [key, value] of [['scale', c.scale], ['deploy.replicas', deploy?.replicas]] as const) {
    const n = Number(value);
    if (value !== undefined && n > 1) out.errors.push(`${key} ${n}: berth runs one container per service; declare one service per replica`);
  }
  const links = [...(Array.isArray(c.links) ? c.links : []), ...(Array.isArray(c.external_links) ? c.external_links : [])].map(String);
  if (links.length) out.notes.push(`links: ${links.join(', ')} not applied; services reach each other by service name on their shared networks (link aliases are not set)`);
}

/** A command or entrypoint as argv: a list as written, a string split as a shell would (without running one). */
function words(value: string | string[] | undefined, key: string, out: CreateCommand): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String);
  const parsed = shellQuote.parse(value, (name) => `$${name}`);
  if (!parsed.every((w): w is string => typeof w === 'string')) {
    out.errors.push(`its ${key} "${value}" uses shell operators: write it as a list, e.g. ["sh", "-c", "..."]`);
    return undefined;
  }
  return parsed;
}

/** Compose keys createCommand applies (or deliberately leaves to the orchestration). */
const HANDLED = new Set([
  'image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'labels', 'annotations', 'ports', 'expose', 'volumes',
  'depends_on', 'healthcheck', 'secrets', 'configs', 'networks', 'network_mode', 'ulimits', 'sysctls', 'extra_hosts', 'dns',
  'dns_search', 'dns_opt', 'tmpfs', 'profiles', 'container_name', 'restart', 'user', 'working_dir', 'hostname', 'domainname',
  'stop_signal', 'stop_grace_period', 'shm_size', 'mem_limit', 'memswap_limit', 'mem_reservation', 'cpus', 'cpu_shares', 'cpuset',
  'pids_limit', 'ipc', 'pid', 'userns_mode', 'cgroup_parent', 'oom_score_adj', 'oom_kill_disable', 'mac_address', 'platform',
  'cap_add', 'cap_drop', 'security_opt', 'group_add', 'privileged', 'read_only', 'init', 'tty', 'stdin_open', 'pull_policy',
  'devices', 'logging', 'deploy', 'volumes_from', 'links', 'external_links', 'scale',
]);
