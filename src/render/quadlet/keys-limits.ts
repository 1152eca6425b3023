import { quadletListWord } from '../unit-file.js';
import type { KeyRule, ServiceRender } from './service-render.js';
import { asBool, asList, asNumber, asRecord, asString, asStrings } from './values.js';

/**
 * Resource limits. Quadlet 5.4 has keys only for the pids limit, ulimits and sysctls; the rest
 * are podman options. Rootless, they take effect where cgroup v2 delegates the cpu, memory and
 * pids controllers to the user, which systemd does by default.
 */

/** Legacy top-level limits and the podman option each becomes. */
const LEGACY: [key: string, option: string][] = [
  ['mem_limit', '--memory'],
  ['memswap_limit', '--memory-swap'],
  ['mem_reservation', '--memory-reservation'],
  ['mem_swappiness', '--memory-swappiness'],
  ['cpus', '--cpus'],
  ['cpu_shares', '--cpu-shares'],
  ['cpu_quota', '--cpu-quota'],
  ['cpu_period', '--cpu-period'],
  ['cpu_rt_period', '--cpu-rt-period'],
  ['cpu_rt_runtime', '--cpu-rt-runtime'],
  ['cpuset', '--cpuset-cpus'],
  ['oom_score_adj', '--oom-score-adj'],
];

const legacy: KeyRule = {
  keys: [...LEGACY.map(([k]) => k), 'pids_limit', 'oom_kill_disable', 'cpu_count', 'cpu_percent', 'blkio_config'],
  render(s) {
    for (const [key, option] of LEGACY) {
      const v = asString(s.config[key]);
      if (!s.has(key) || v === undefined) continue;
      s.podman(`${option}=${v}`);
      s.note(key, 'mapped', `PodmanArgs=${option}=${v}`);
    }
    const pids = asString(s.config.pids_limit);
    if (s.has('pids_limit') && pids !== undefined && s.set(s.container, 'PidsLimit', 'pids_limit', pids)) s.note('pids_limit', 'mapped', `PidsLimit=${pids}`);
    if (s.has('oom_kill_disable')) {
      const off = asBool(s.config.oom_kill_disable) ?? false;
      if (off) s.podman('--oom-kill-disable');
      s.note('oom_kill_disable', 'mapped', off ? 'PodmanArgs=--oom-kill-disable' : 'false: nothing to add');
    }
    for (const key of ['cpu_count', 'cpu_percent']) if (s.has(key)) s.note(key, 'refused', `${key} exists only for Windows containers; use cpus`);
    if (s.has('blkio_config')) blkio(s);
  },
};

function blkio(s: ServiceRender): void {
  const b = asRecord(s.config.blkio_config) ?? {};
  const weight = asString(b.weight);
  if (weight !== undefined) s.podman(`--blkio-weight=${weight}`);
  for (const [field, option, value] of [
    ['weight_device', '--blkio-weight-device', 'weight'],
    ['device_read_bps', '--device-read-bps', 'rate'],
    ['device_write_bps', '--device-write-bps', 'rate'],
    ['device_read_iops', '--device-read-iops', 'rate'],
    ['device_write_iops', '--device-write-iops', 'rate'],
  ] as const) {
    for (const d of asList(b[field]).map(asRecord)) {
      if (d) s.podman(`${option}=${asString(d.path)}:${asString(d[value])}`);
    }
  }
  s.note('blkio_config', 'approximated', 'PodmanArgs=--blkio-*: rootless, block I/O limits work only where the io controller is delegated to the user');
}

const deploy: KeyRule = {
  keys: ['deploy'],
  render(s) {
    if (!s.has('deploy')) return;
    const d = asRecord(s.config.deploy) ?? {};
    const replicas = asNumber(d.replicas);
    if (replicas !== undefined) {
      if (replicas > 1) s.note('deploy.replicas', 'refused', `${replicas} replicas: one Quadlet unit runs one container; declare one service per replica`);
      else s.note('deploy.replicas', replicas === 1 ? 'mapped' : 'approximated', replicas === 1 ? 'one container' : 'replicas 0: the container is still rendered; disable its unit to keep it stopped');
    }
    const resources = asRecord(d.resources) ?? {};
    const limits = asRecord(resources.limits) ?? {};
    const cpus = asString(limits.cpus);
    if (cpus !== undefined) {
      s.podman(`--cpus=${cpus}`);
      s.note('deploy.resources.limits.cpus', 'mapped', `PodmanArgs=--cpus=${cpus}`);
    }
    const memory = asString(limits.memory);
    if (memory !== undefined) {
      // Quadlet's Memory= key came after Podman 5.4.
      s.podman(`--memory=${memory}`);
      s.note('deploy.resources.limits.memory', 'mapped', `PodmanArgs=--memory=${memory}`);
    }
    const pids = asString(limits.pids);
    if (pids !== undefined && s.set(s.container, 'PidsLimit', 'deploy.resources.limits.pids', pids)) s.note('deploy.resources.limits.pids', 'mapped', `PidsLimit=${pids}`);
    const reservations = asRecord(resources.reservations) ?? {};
    const reserved = asString(reservations.memory);
    if (reserved !== undefined) {
      s.podman(`--memory-reservation=${reserved}`);
      s.note('deploy.resources.reservations.memory', 'mapped', `PodmanArgs=--memory-reservation=${reserved}`);
    }
    if (reservations.cpus !== undefined) s.note('deploy.resources.reservations.cpus', 'ignored', 'Podman cannot reserve CPUs (cpu_shares sets a relative weight instead)');
    if (reservations.devices !== undefined) gpuDevices(s, 'deploy.resources.reservations.devices', asList(reservations.devices));
    if (reservations.generic_resources !== undefined) s.note('deploy.resources.reservations.generic_resources', 'refused', 'generic resources are a Swarm feature');
    if (d.restart_policy !== undefined && s.has('restart')) s.note('deploy.restart_policy', 'ignored', 'restart: is set and wins');
    for (const swarm of ['mode', 'placement', 'update_config', 'rollback_config', 'endpoint_mode', 'labels'] as const) {
      if (d[swarm] !== undefined) s.note(`deploy.${swarm}`, 'ignored', `${swarm} applies to Swarm services only`);
    }
  },
};

/**
 * GPU requests (deploy devices, gpus:) as CDI devices, which is how Podman reaches GPUs: the
 * host needs the vendor's CDI specification (nvidia-ctk cdi generate).
 */
export function gpuDevices(s: ServiceRender, key: string, requests: unknown[]): void {
  for (const r of requests) {
    const req = asRecord(r);
    const caps = req ? asStrings(req.capabilities) : ['gpu'];
    if (req && !caps.includes('gpu')) {
      s.note(key, 'refused', `devices with capabilities ${caps.join(', ')}: only GPUs have a Podman equivalent (CDI)`);
      continue;
    }
    const driver = asString(req?.driver) ?? 'nvidia';
    const ids = req ? asStrings(req.device_ids) : [];
    const devices = ids.length ? ids.map((id) => `${driver}.com/gpu=${id}`) : [`${driver}.com/gpu=all`];
    for (const dev of devices) {
      const word = quadletListWord(dev);
      if (word !== undefined) s.container.push(['AddDevice', word]);
      else s.podman('--device', dev);
    }
    s.note(key, 'approximated', `AddDevice=${devices.join(' ')}: Podman reaches GPUs through CDI, so the host needs the vendor's CDI spec (nvidia-ctk cdi generate)${req?.count !== undefined && !ids.length ? '; count is not applied: all GPUs are passed' : ''}`);
  }
}

const kernel: KeyRule = {
  keys: ['ulimits', 'sysctls'],
  render(s) {
    if (s.has('ulimits')) {
      const done: string[] = [];
      for (const [name, l] of Object.entries(s.config.ulimits)) {
        const spec = l.soft === l.hard ? `${name}=${l.soft}` : `${name}=${l.soft}:${l.hard}`;
        if (s.set(s.container, 'Ulimit', 'ulimits', spec)) done.push(spec);
      }
      s.note('ulimits', 'mapped', `Ulimit=${done.join(' ')}`);
    }
    if (s.has('sysctls')) {
      const done: string[] = [];
      for (const [k, v] of Object.entries(s.config.sysctls)) {
        const item = `${k}=${v}`;
        const word = quadletListWord(item);
        if (word !== undefined) s.container.push(['Sysctl', word]);
        else s.podmanArgs.push(['--sysctl', item]);
        done.push(item);
      }
      s.note('sysctls', 'mapped', `Sysctl=${done.join(' ')} (rootless: only namespaced ones, such as net.* with a network of its own)`);
    }
  },
};

export const LIMIT_RULES: KeyRule[] = [deploy, legacy, kernel];
