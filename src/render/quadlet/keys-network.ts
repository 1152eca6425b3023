import { isIP } from 'node:net';
import type { PortMapping } from '../../model/compose.js';
import { containerFile } from './names.js';
import { serviceNetworkKeys } from '../../run/naming.js';
import type { KeyRule, ServiceRender } from './service-render.js';
import { asNumber, asRecord, asString, asStrings } from './values.js';

/**
 * Network modes in which the container has no network namespace of its own to publish ports from:
 * its `ports:` are refused (the firewall check skips them too: nothing is published).
 */
export function sharesNamespace(mode: string | undefined): boolean {
  return mode !== undefined && (mode === 'host' || mode === 'none' || /^(service|container|ns):/.test(mode));
}

const network: KeyRule = {
  keys: ['network_mode', 'networks'],
  render(s) {
    const mode = asString(s.config.network_mode);
    if (mode !== undefined) {
      networkMode(s, mode);
      if (s.has('networks')) s.note('networks', 'refused', `network_mode ${mode} and networks cannot be combined (compose refuses it too)`);
      return;
    }
    const nets = serviceNetworkKeys(s.plan.project, s.name)
      .map((key, i) => ({ key, i, cfg: asRecord(s.config.networks[key]) ?? {} }))
      // Compose connects the highest priority first; Podman takes the first network as the primary one.
      .sort((a, b) => (asNumber(b.cfg.priority) ?? 0) - (asNumber(a.cfg.priority) ?? 0) || a.i - b.i);
    for (const { key, cfg } of nets) {
      const ref = s.plan.networkRefs.get(key);
      if (ref === undefined) {
        s.note('networks', 'refused', `network ${key} is not rendered (see the note on networks.${key}), so the container cannot join it`);
        continue;
      }
      // Compose makes every service reachable by its name on each of its networks; Podman only
      // adds the container name, so the service name and compose aliases become per-network aliases.
      const aliases = [...new Set([s.name, ...asStrings(cfg.aliases)])];
      const opts = aliases.map((a) => `alias=${a}`);
      for (const [field, opt] of [['ipv4_address', 'ip'], ['ipv6_address', 'ip6'], ['mac_address', 'mac'], ['interface_name', 'interface_name']] as const) {
        const v = asString(cfg[field]);
        if (v !== undefined) opts.push(`${opt}=${v}`);
      }
      const bad = opts.find((o) => /[,\s]/.test(o.slice(o.indexOf('=') + 1)));
      if (bad) {
        s.note('networks', 'refused', `${bad} cannot be a podman network option (no commas or blanks)`);
        continue;
      }
      s.set(s.container, 'Network', 'networks', `${ref}:${opts.join(',')}`);
      for (const ignored of ['link_local_ips', 'driver_opts', 'gw_priority'] as const) {
        if (cfg[ignored] !== undefined) s.note(`networks.${key}.${ignored}`, 'ignored', `Podman has no per-container ${ignored.replaceAll('_', ' ')}`);
      }
    }
    if (s.has('networks') || nets.length) {
      const aliases = [...new Set([s.name, ...nets.flatMap((n) => asStrings(n.cfg.aliases))])];
      s.note('networks', 'mapped', `joins ${nets.map((n) => n.key).join(', ')} (Network=), reachable there as ${aliases.join(', ')}`);
    }
  },
};

function networkMode(s: ServiceRender, mode: string): void {
  if (mode.startsWith('service:')) {
    const holder = mode.slice('service:'.length);
    if (!s.plan.project.services[holder]) {
      s.note('network_mode', 'refused', `service ${holder} is not part of the project on ${s.ctx.host.name}`);
      return;
    }
    // Network=X.container rather than a .pod: the holder stays an ordinary service with its own
    // image, healthcheck and restart policy, as in compose. Quadlet turns it into
    // --network container:<holder's name> plus Requires=/After= on the holder, so the namespace
    // exists before the guest joins it, and a restart of the holder restarts its guests, whose
    // namespace went away with it (compose leaves them without a network).
    s.container.push(['Network', containerFile(s.stack, holder)]);
    s.note('network_mode', 'mapped', `service:${holder} → Network=${containerFile(s.stack, holder)} (the container joins ${holder}'s network namespace and starts after it)`);
    return;
  }
  if (mode === 'bridge') {
    s.container.push(['Network', 'bridge']);
    s.note('network_mode', 'mapped', "bridge → Podman's default network, as Docker's default bridge (no service-name DNS)");
    return;
  }
  if (/^(host|none|private|container:.+|ns:.+|slirp4netns(:.*)?|pasta(:.*)?)$/.test(mode)) {
    if (s.set(s.container, 'Network', 'network_mode', mode)) s.note('network_mode', 'mapped', `Network=${mode}`);
    return;
  }
  if (s.set(s.container, 'Network', 'network_mode', mode)) s.note('network_mode', 'approximated', `${mode} is taken as the name of an existing Podman network`);
}

const ports: KeyRule = {
  keys: ['ports', 'expose'],
  render(s) {
    const mode = asString(s.config.network_mode);
    if (s.has('ports') && s.config.ports.length) {
      if (sharesNamespace(mode)) {
        s.note('ports', 'refused', `network_mode ${mode}: the container has no network namespace of its own to publish from${mode?.startsWith('service:') ? `; publish the ports on ${mode.slice(8)}` : ''}`);
      } else {
        const specs = publishSpecs(s.config.ports);
        for (const spec of specs) s.set(s.container, 'PublishPort', 'ports', spec);
        s.note('ports', 'mapped', `PublishPort=${specs.join(' ')}`);
        const low = s.config.ports.filter((p) => p.published !== undefined && p.published < 1024).map((p) => p.published);
        if (low.length) s.note('ports', 'approximated', `rootless Podman binds port ${[...new Set(low)].join(', ')} only where net.ipv4.ip_unprivileged_port_start allows it (1024 by default)`);
        const swarm = s.config.ports.filter((p) => p.mode === 'host' || p.name !== undefined || p.app_protocol !== undefined);
        if (swarm.length) s.note('ports', 'ignored', 'mode, name and app_protocol of a port have no Podman equivalent');
      }
    }
    if (s.has('expose')) {
      for (const e of s.config.expose) {
        if (/^\d+(-\d+)?(\/(tcp|udp))?$/.test(e)) s.container.push(['ExposeHostPort', e]);
        else s.podman(`--expose=${e}`);
      }
      s.note('expose', 'mapped', `ExposeHostPort=${s.config.expose.join(' ')} (documentation only, as in compose: containers on a network reach every port)`);
    }
  },
};

/** PublishPort values, with consecutive single ports of one mapping folded back into ranges. */
function publishSpecs(list: readonly PortMapping[]): string[] {
  interface Run {
    p: PortMapping;
    n: number;
  }
  const runs: Run[] = [];
  for (const p of list) {
    const last = runs[runs.length - 1];
    const follows =
      last &&
      last.p.host_ip === p.host_ip &&
      last.p.protocol === p.protocol &&
      p.target === last.p.target + last.n &&
      (last.p.published === undefined ? p.published === undefined : p.published === last.p.published + last.n);
    if (follows) last.n++;
    else runs.push({ p, n: 1 });
  }
  return runs.map(({ p, n }) => {
    const range = (start: number) => (n === 1 ? `${start}` : `${start}-${start + n - 1}`);
    const ip = p.host_ip === undefined ? '' : isIP(p.host_ip) === 6 ? `[${p.host_ip}]:` : `${p.host_ip}:`;
    const published = p.published === undefined ? '' : range(p.published);
    const host = ip || published ? `${ip}${published}:` : '';
    return `${host}${range(p.target)}${p.protocol === 'tcp' ? '' : `/${p.protocol}`}`;
  });
}

const names: KeyRule = {
  keys: ['hostname', 'domainname', 'mac_address', 'dns', 'dns_search', 'dns_opt', 'extra_hosts', 'links', 'external_links'],
  render(s) {
    const hostname = asString(s.config.hostname);
    if (s.has('hostname') && hostname !== undefined && s.set(s.container, 'HostName', 'hostname', hostname)) s.note('hostname', 'mapped', `HostName=${hostname}`);
    const domain = asString(s.config.domainname);
    if (s.has('domainname') && domain !== undefined) {
      s.podman(`--domainname=${domain}`);
      s.note('domainname', 'approximated', `PodmanArgs=--domainname=${domain}: only Podman releases newer than 5.4 know this option`);
    }
    const mac = asString(s.config.mac_address);
    if (s.has('mac_address') && mac !== undefined) {
      s.podman(`--mac-address=${mac}`);
      s.note('mac_address', 'mapped', `PodmanArgs=--mac-address=${mac}`);
    }
    for (const [key, quadletKey] of [['dns', 'DNS'], ['dns_search', 'DNSSearch'], ['dns_opt', 'DNSOption']] as const) {
      if (!s.has(key)) continue;
      const values = asStrings(s.config[key]);
      for (const v of values) s.set(s.container, quadletKey, key, v);
      s.note(key, 'mapped', `${quadletKey}=${values.join(' ')}`);
    }
    if (s.has('extra_hosts')) {
      const added: string[] = [];
      for (const [host, ip] of Object.entries(s.config.extra_hosts)) {
        if (ip === null || ip === undefined || ip === '') {
          s.note('extra_hosts', 'refused', `${host} has no address`);
          continue;
        }
        if (s.set(s.container, 'AddHost', 'extra_hosts', `${host}:${ip}`)) added.push(`${host}:${ip}`);
      }
      if (added.length) s.note('extra_hosts', 'mapped', `AddHost=${added.join(' ')}`);
    }
    if (s.has('links')) {
      const aliased = asStrings(s.config.links).filter((l) => l.includes(':'));
      s.note('links', 'approximated', `services reach each other by service name on their shared networks${aliased.length ? `; the link aliases in ${aliased.join(', ')} are not rendered` : ''}`);
    }
    if (s.has('external_links')) s.note('external_links', 'approximated', `${asStrings(s.config.external_links).join(', ')}: reachable only if on a network this service joins; link aliases are not rendered`);
  },
};

export const NETWORK_RULES: KeyRule[] = [network, ports, names];
