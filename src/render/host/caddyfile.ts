import { hiddenClients, KEEP_CLIENT_ADDRESSES } from '../../config/checks/proxy-lan-only.js';
import type { PortMapping, Service } from '../../model/compose.js';
import type { Deployment, Host, ProxyEntry } from '../../model/repo.js';
import { artifact, type Artifact, type FidelityNote } from '../artifact.js';
import type { HostRenderContext } from '../context.js';
import { rel } from '../layout.js';

interface Route {
  site: string;
  path?: string;
  upstream: string;
  lanOnly: boolean;
  websocket: boolean;
  stack: string;
  host: string;
}

/**
 * The reverse proxy's Caddyfile: a site per `proxy:` host name of the stacks this host runs,
 * routed to the port the service publishes. Where the proxy stack (berth.yml proxy.stack) runs,
 * it also routes the entries of hosts that have no proxy of their own, to that host's address.
 * No artifact when there is nothing to route, or when the proxy runs on another host.
 * A lanOnly route is refused when the proxy container cannot see its clients' addresses (see
 * hiddenClients): `remote_ip private_ranges` would then let the whole internet in.
 */
export function renderCaddyfile(ctx: HostRenderContext): { artifact?: Artifact; notes: FidelityNote[] } {
  const { repo, host, layout } = ctx;
  const notes: FidelityNote[] = [];
  const proxyStack = repo.config.proxy.stack;
  const runsProxy = proxyStack !== undefined && ctx.deployments.some((d) => d.stack === proxyStack);
  // A host without the proxy stack is served by the host that has it; without any proxy stack,
  // each host's Caddyfile routes its own entries, for a proxy run on the host itself.
  const proxyElsewhere = proxyStack !== undefined && !runsProxy && repo.deployments.some((d) => d.stack === proxyStack);
  if (proxyElsewhere) return { notes };
  const loopback = runsProxy ? repo.config.proxy.loopback : '127.0.0.1';
  const hostsWithProxy = new Set(repo.deployments.filter((d) => d.stack === proxyStack).map((d) => d.host));
  const proxyHere = ctx.deployments.find((d) => d.stack === proxyStack);
  // Without a proxy stack, the proxy runs on the host itself and sees real addresses.
  const blind = proxyHere ? hiddenClients(host.engine, proxyHere) : undefined;

  const candidates: { deployment: Deployment; local: boolean }[] = [
    ...byStack(ctx.deployments).map((deployment) => ({ deployment, local: true })),
    ...(runsProxy ? byHostThenStack(repo.deployments.filter((d) => d.host !== host.name && !hostsWithProxy.has(d.host))).map((deployment) => ({ deployment, local: false })) : []),
  ];
  const routes: Route[] = [];
  const claimed = new Map<string, Route>();
  for (const { deployment, local } of candidates) {
    const owner = repo.hosts.find((h) => h.name === deployment.host);
    for (const entry of repo.stacks[deployment.stack]?.manifest.proxy ?? []) {
      const skip = (message: string, fidelity: FidelityNote['fidelity'] = 'ignored') => notes.push({ stack: deployment.stack, ...(entry.service ? { service: entry.service } : {}), key: 'proxy', fidelity, message: `${entry.host}${entry.path ?? ''}: ${message}` });
      // An entry for a service its host leaves out by profile is routed where the service runs.
      if (entry.service !== undefined && deployment.project.inactiveServices.includes(entry.service)) continue;
      if (entry.lanOnly && blind !== undefined) {
        skip(`lanOnly, but the proxy cannot see client addresses: ${blind}, so every client would pass as a LAN client. Route left out: ${KEEP_CLIENT_ADDRESSES}`, 'refused');
        continue;
      }
      const found = publishedPort(deployment, entry);
      if (typeof found === 'string') {
        skip(found);
        continue;
      }
      const reach: Reach = local ? { upstream: localUpstream(found, loopback) } : owner ? remoteUpstream(found, owner) : { why: `host ${deployment.host} is unknown` };
      if ('why' in reach) {
        skip(reach.why);
        continue;
      }
      const upstream = reach.upstream;
      const key = `${entry.host}${entry.path ?? ''}`;
      const first = claimed.get(key);
      if (first) {
        skip(`already routed to stack ${first.stack} on ${first.host}; this one is left out`);
        continue;
      }
      const route: Route = { site: entry.host, upstream, lanOnly: entry.lanOnly, websocket: entry.websocket, stack: deployment.stack, host: deployment.host, ...(entry.path !== undefined ? { path: entry.path } : {}) };
      claimed.set(key, route);
      routes.push(route);
    }
  }
  if (routes.length === 0) return { notes };

  const sites = [...new Set(routes.map((r) => r.site))].sort();
  const blocks = sites.map((site) => siteBlock(site, routes.filter((r) => r.site === site)));
  const email = repo.config.proxy.email;
  const text = [
    `# The reverse proxy of ${host.name}, from the proxy: entries in the stacks' stack.yml.\n# Rendered by berth; do not edit: change the repository and render again.\n`,
    ...(email !== undefined ? [`{\n\temail ${token(email)}\n}\n`] : []),
    ...blocks,
  ].join('\n');
  return { artifact: artifact(rel(`${layout.shareDir}/proxy/Caddyfile`), text), notes };
}

function siteBlock(site: string, routes: Route[]): string {
  const origin = [...new Set(routes.map((r) => `stacks/${r.stack} on ${r.host}`))].join(', ');
  const lines = [`# ${origin}`, `${token(site)} {`];
  if (routes.some((r) => r.lanOnly)) lines.push('\t@outside not remote_ip private_ranges');
  const withPath = routes.filter((r) => r.path !== undefined).sort((a, b) => b.path!.length - a.path!.length || (a.path! < b.path! ? -1 : 1));
  const rest = routes.find((r) => r.path === undefined);
  withPath.forEach((r, i) => lines.push(`\t@path${i + 1} path ${token(r.path!)} ${token(`${r.path!.replace(/\/+$/, '')}/*`)}`));
  const body = (r: Route, indent: string) => [...(r.lanOnly ? [`${indent}respond @outside 403`] : []), `${indent}reverse_proxy ${token(r.upstream)}`];
  if (withPath.length === 0 && rest) {
    lines.push(...body(rest, '\t'));
  } else {
    withPath.forEach((r, i) => lines.push(`\thandle @path${i + 1} {`, ...body(r, '\t\t'), '\t}'));
    if (rest) lines.push('\thandle {', ...body(rest, '\t\t'), '\t}');
  }
  if (routes.some((r) => r.websocket)) lines.push('\t# websockets: reverse_proxy passes upgrade requests through as they are');
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** The published mapping behind an entry, or why there is none. */
function publishedPort(deployment: Deployment, entry: ProxyEntry): PortMapping | string {
  const services = deployment.project.services;
  const candidates = entry.service !== undefined ? [entry.service] : Object.keys(services);
  if (entry.service !== undefined && !services[entry.service]) return `the stack has no service ${entry.service}`;
  for (const name of candidates) {
    const ports = portsOf(services, name);
    const mapping = ports.find((p) => p.target === entry.port && p.protocol === 'tcp' && p.published !== undefined) ?? ports.find((p) => p.published === entry.port && p.protocol === 'tcp');
    if (mapping) return mapping;
  }
  return `no service ${entry.service !== undefined ? `(${entry.service}) ` : ''}publishes port ${entry.port} on ${deployment.host}, so the proxy cannot reach it`;
}

/** A service that joins another's network namespace (network_mode: service:X) is reached on X's ports. */
function portsOf(services: Record<string, Service>, name: string): PortMapping[] {
  const mode = services[name]?.config.network_mode;
  const holder = mode?.startsWith('service:') ? services[mode.slice('service:'.length)] : undefined;
  return (holder ?? services[name])?.config.ports ?? [];
}

function localUpstream(p: PortMapping, loopback: string): string {
  return isAllOrLoopback(p.host_ip) ? `${loopback}:${p.published}` : `${hostPart(p.host_ip!)}:${p.published}`;
}

type Reach = { upstream: string } | { why: string };

/** How the proxy reaches a port published on another host, or why it cannot. */
function remoteUpstream(p: PortMapping, owner: Host): Reach {
  if (isLoopback(p.host_ip)) return { why: `published on ${p.host_ip} on ${owner.name}, so the proxy on another host cannot reach it: publish it on all addresses and open it in firewall:` };
  if (!isAllOrLoopback(p.host_ip)) return { upstream: `${hostPart(p.host_ip!)}:${p.published}` };
  const address = sshHost(owner.address);
  if (address === undefined) return { why: `host ${owner.name} has address "${owner.address}", which another host cannot reach: give it its network name in hosts.yml` };
  return { upstream: `${hostPart(address)}:${p.published}` };
}

/** The machine of an SSH destination: user@doc1.lan, ssh://user@doc1.lan:2222 -> doc1.lan. */
function sshHost(address: string): string | undefined {
  if (address === 'local') return undefined;
  const bare = address.replace(/^ssh:\/\//, '').replace(/^[^@]*@/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  if (bracketed) return bracketed[1];
  return bare.split(':').length === 2 ? bare.split(':')[0] : bare;
}

function isLoopback(ip: string | undefined): boolean {
  return ip !== undefined && (ip.startsWith('127.') || ip === '::1' || ip === 'localhost');
}

function isAllOrLoopback(ip: string | undefined): boolean {
  return ip === undefined || ip === '' || ip === '0.0.0.0' || ip === '::' || isLoopback(ip);
}

function hostPart(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** A Caddyfile token: quoted when it has blanks, quotes, braces or a comment sign. */
function token(text: string): string {
  return /^[^\s"{}#`]+$/.test(text) ? text : `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function byStack(ds: Deployment[]): Deployment[] {
  return [...ds].sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
}

function byHostThenStack(ds: Deployment[]): Deployment[] {
  return [...ds].sort((a, b) => (a.host !== b.host ? (a.host < b.host ? -1 : 1) : a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
}
