import type { TopLevel } from '../../model/compose.js';
import { artifact, type Artifact, type FidelityNote } from '../artifact.js';
import type { StackRenderContext } from '../context.js';
import { rel } from '../layout.js';
import { renderedBy } from '../stack-common.js';
import { execWord, quadletArg, quadletArgFits, specifierSafe, unitFile, type Entry } from '../unit-file.js';
import { isExternal, LABEL, networkName, serviceNetworkKeys, volumeName } from '../../run/naming.js';
import { networkFile, volumeFile } from './names.js';
import { asBool, asList, asRecord, asString, keyValues } from './values.js';

type Note = (key: string, fidelity: FidelityNote['fidelity'], message: string) => void;

export interface Resources {
  artifacts: Artifact[];
  networkRefs: Map<string, string>;
  volumeRefs: Map<string, string>;
}

/**
 * The stack's networks and named volumes as .network and .volume files, named as compose names
 * them (`<project>_<key>` unless `name:` says otherwise), so containers on them look as compose
 * would make them. External ones are referenced by name and not rendered; declared ones no
 * service uses are not created, as compose does not create them either.
 */
export function renderResources(ctx: StackRenderContext, note: Note): Resources {
  const project = ctx.deployment.project;
  const services = Object.values(project.services);
  const usedNetworks = new Set(Object.keys(project.services).flatMap((name) => serviceNetworkKeys(project, name)));
  const usedVolumes = new Set(services.flatMap((s) => s.config.volumes.filter((v) => v.type === 'volume' && v.source).map((v) => v.source!)));
  const out: Resources = { artifacts: [], networkRefs: new Map(), volumeRefs: new Map() };

  const networks: Record<string, TopLevel> = { ...project.networks };
  if (usedNetworks.has('default') && !networks.default) networks.default = { name: 'default', span: project.root.span, config: {} };
  const kinds = [
    { kind: 'network', section: 'Network', defs: networks, used: usedNetworks, refs: out.networkRefs, name: networkName, entries: networkEntries, file: networkFile, unused: 'joins', use: 'joined', created: ' (compose creates only networks in use)' },
    { kind: 'volume', section: 'Volume', defs: project.volumes, used: usedVolumes, refs: out.volumeRefs, name: volumeName, entries: volumeEntries, file: volumeFile, unused: 'mounts', use: 'mounted', created: '' },
  ] as const;
  for (const k of kinds) {
    for (const [key, def] of Object.entries(k.defs)) {
      const noteKey = `${k.kind}s.${key}`;
      if (!k.used.has(key)) {
        note(noteKey, 'ignored', `no service of this host ${k.unused} ${k.kind} ${key}, so it is not created${k.created}`);
        continue;
      }
      const name = k.name(project, key);
      if (isExternal(def.config)) {
        k.refs.set(key, name);
        note(noteKey, 'mapped', `external ${k.kind} ${name}: ${k.use} by name, not created (create it on the host beforehand)`);
        continue;
      }
      const entries = k.entries(ctx, key, name, def.config, (f, m) => note(noteKey, f, m));
      if (!entries) continue;
      const file = k.file(ctx.stack.name, key);
      k.refs.set(key, file);
      out.artifacts.push(quadletFile(ctx, file, k.section, `${k.kind} ${name}`, entries));
    }
  }
  return out;
}

function quadletFile(ctx: StackRenderContext, file: string, section: string, what: string, entries: Entry[]): Artifact {
  const description = `${ctx.stack.manifest.description ?? ctx.stack.name}: ${what}`;
  const text = unitFile([{ name: 'Unit', entries: [['Description', specifierSafe(description)]] }, { name: section, entries }], renderedBy(ctx.stack.name));
  return artifact(rel(`${ctx.layout.quadletDir}/${file}`), text);
}

function ownershipLabels(ctx: StackRenderContext, kind: 'network' | 'volume', key: string): Entry[] {
  const project = ctx.deployment.project.name;
  return [
    ['Label', execWord(`${LABEL.project}=${project}`)],
    ['Label', execWord(`com.docker.compose.${kind}=${key}`)],
    ['Label', execWord(`${LABEL.stack}=${ctx.stack.name}`)],
  ];
}

const NETWORK_DRIVERS = new Set(['bridge', 'macvlan', 'ipvlan']);

function networkEntries(ctx: StackRenderContext, key: string, name: string, c: Record<string, unknown>, note: (f: FidelityNote['fidelity'], m: string) => void): Entry[] | undefined {
  if (!quadletArgFits(name)) {
    note('refused', `the network name ${JSON.stringify(name)} cannot be written in a unit file`);
    return undefined;
  }
  const entries: Entry[] = [['NetworkName', quadletArg(name)]];
  const done: string[] = [`→ ${name}`];
  const driver = asString(c.driver);
  if (driver !== undefined && driver !== 'bridge') {
    if (!NETWORK_DRIVERS.has(driver)) {
      note('refused', `driver ${driver}: Podman networks are bridge, macvlan or ipvlan; ${driver === 'overlay' ? 'overlay is for Swarm' : 'use one of those'} (network ${name} not created)`);
      return undefined;
    }
    entries.push(['Driver', driver]);
    done.push(`Driver=${driver}`);
  }
  for (const [k, v] of keyValues(c.driver_opts)) entries.push(['PodmanArgs', `--opt ${execWord(v === null ? k : `${k}=${v}`)}`]);
  if (c.driver_opts !== undefined) note('approximated', `driver_opts passed as podman network create --opt; Podman knows its own options (mtu, vlan, isolate, metric, mode, parent), not every Docker one`);
  const ipam = asRecord(c.ipam);
  if (ipam) {
    const ipamDriver = asString(ipam.driver);
    if (ipamDriver && ipamDriver !== 'default' && quadletArgFits(ipamDriver)) entries.push(['IPAMDriver', quadletArg(ipamDriver)]);
    for (const pool of asList(ipam.config).map(asRecord)) {
      if (!pool) continue;
      for (const [field, quadletKey] of [['subnet', 'Subnet'], ['ip_range', 'IPRange'], ['gateway', 'Gateway']] as const) {
        const v = asString(pool[field]);
        if (v !== undefined && quadletArgFits(v)) entries.push([quadletKey, quadletArg(v)]);
      }
      if (pool.aux_addresses !== undefined) note('ignored', 'ipam aux_addresses: Podman cannot reserve addresses in a subnet');
    }
    if (ipam.options !== undefined) note('ignored', 'ipam options: Podman has no IPAM driver options');
    done.push('ipam → Subnet=/IPRange=/Gateway=');
  }
  if (asBool(c.internal)) {
    entries.push(['Internal', true]);
    done.push('Internal=yes');
  }
  if (asBool(c.enable_ipv6)) {
    entries.push(['IPv6', true]);
    done.push('IPv6=yes');
  }
  if (c.enable_ipv4 !== undefined && asBool(c.enable_ipv4) === false) note('ignored', 'enable_ipv4: false has no Quadlet key; the network gets IPv4 too');
  if (c.attachable !== undefined) note('ignored', 'attachable is for Swarm networks');
  for (const [k, v] of keyValues(c.labels)) entries.push(['Label', execWord(v === null ? k : `${k}=${v}`)]);
  entries.push(...ownershipLabels(ctx, 'network', key));
  note('mapped', `${networkFile(ctx.stack.name, key)} ${done.join(', ')}`);
  return entries;
}

/** Mount types an unprivileged user namespace may mount (rootless Podman cannot mount nfs, cifs or block devices). */
const ROOTLESS_MOUNT_TYPES = new Set(['tmpfs', 'none', 'bind']);

function volumeEntries(ctx: StackRenderContext, key: string, name: string, c: Record<string, unknown>, note: (f: FidelityNote['fidelity'], m: string) => void): Entry[] | undefined {
  if (!quadletArgFits(name)) {
    note('refused', `the volume name ${JSON.stringify(name)} cannot be written in a unit file`);
    return undefined;
  }
  const entries: Entry[] = [['VolumeName', quadletArg(name)]];
  const driver = asString(c.driver);
  if (driver !== undefined && driver !== 'local') {
    entries.push(['Driver', quadletArg(driver)]);
    note('approximated', `driver ${driver}: Podman must have a volume plugin of that name`);
  }
  const opts = keyValues(c.driver_opts);
  for (const [k, v] of opts) {
    const value = v ?? '';
    if (!quadletArgFits(value)) {
      note('refused', `driver_opts.${k} cannot be written in a unit file`);
      continue;
    }
    if (k === 'type') entries.push(['Type', quadletArg(value)]);
    else if (k === 'device') entries.push(['Device', quadletArg(value)]);
    else if (k === 'o') entries.push(['Options', quadletArg(value)]);
    else entries.push(['PodmanArgs', `--opt ${execWord(`${k}=${value}`)}`]);
  }
  const type = opts.find(([k]) => k === 'type')?.[1];
  if (type && !ROOTLESS_MOUNT_TYPES.has(type)) note('approximated', `a ${type} volume is mounted by Podman itself, which a rootless user cannot do; mount it on the host (stack.yml mounts:) and bind it instead`);
  for (const [k, v] of keyValues(c.labels)) entries.push(['Label', execWord(v === null ? k : `${k}=${v}`)]);
  entries.push(...ownershipLabels(ctx, 'volume', key));
  note('mapped', `${volumeFile(ctx.stack.name, key)} → ${name}${opts.length ? ` with ${opts.map(([k]) => k).join(', ')}` : ''}`);
  return entries;
}
