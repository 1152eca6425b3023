import { warning, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Service } from '../../model/compose.js';
import type { Deployment, Engine, Repo } from '../../model/repo.js';

/**
 * Why the proxy of `deployment` cannot see its clients' addresses, if it cannot. A `lanOnly` route
 * lets private addresses in, and rootless port forwarding can make every client look private:
 * slirp4netns's default port handler (rootlesskit) rewrites the source to 10.0.2.100, and the
 * rootlessport forwarder of bridge networks to the network's own addresses (podman-run(1),
 * --network; measured on Podman 4.3). slirp4netns with port_handler=slirp4netns, pasta and the
 * host's network keep the client's address.
 */
export function hiddenClients(engine: Engine, deployment: Deployment): string | undefined {
  const services = deployment.project.services;
  // What receives the proxy's traffic: services that publish ports, or listen on the host's network.
  const receivers = Object.entries(services)
    .filter(([, s]) => s.config.network_mode === 'host' || (s.config.ports.length > 0 && !inAnotherNamespace(s)))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (receivers.length && engine === 'docker') {
    return "rootless Docker forwards published ports through RootlessKit, whose default port driver gives every client a private address (berth cannot see the daemon's driver)";
  }
  for (const [name, s] of receivers) {
    const why = forwarding(s.config.network_mode);
    if (why) return `stack ${deployment.stack}'s service ${name} ${why}`;
  }
  return undefined;
}

function inAnotherNamespace(s: Service): boolean {
  const mode = s.config.network_mode;
  return mode !== undefined && (mode === 'none' || /^(service|container|ns):/.test(mode));
}

/** How a network mode forwards published ports to the container, when that hides the client's address. */
function forwarding(mode: string | undefined): string | undefined {
  if (mode === 'host' || (mode !== undefined && /^pasta(:|$)/.test(mode))) return undefined;
  if (mode !== undefined && /^slirp4netns(:|$)/.test(mode)) {
    const options = mode.slice('slirp4netns:'.length).split(',');
    if (options.includes('port_handler=slirp4netns')) return undefined;
    return `publishes its ports from network_mode ${mode}, whose default port handler (rootlesskit) gives every client the address 10.0.2.100`;
  }
  return `publishes its ports from ${mode === undefined ? 'the project\'s network' : `network_mode ${mode}`}, a bridge network, whose rootless forwarder (rootlessport) gives every client a private address`;
}

/** What makes a proxy see its clients, for hints and notes. */
export const KEEP_CLIENT_ADDRESSES = 'give the proxy network_mode "slirp4netns:port_handler=slirp4netns" (add allow_host_loopback=true to reach the host\'s 127.0.0.1), pasta, or host';

/**
 * lanOnly entries served by a proxy that cannot tell LAN clients from the internet: every client
 * would pass. Render leaves such routes out; validate says so beforehand.
 */
export function proxyLanOnly(repo: Repo): Diagnostic[] {
  const proxyStack = repo.config.proxy.stack;
  if (proxyStack === undefined) return [];
  const out: Diagnostic[] = [];
  const proxies = repo.deployments.filter((d) => d.stack === proxyStack);
  for (const host of repo.hosts) {
    const local = proxies.filter((d) => d.host === host.name);
    // A host without the proxy is served by every host that runs it (see render's caddyfile.ts).
    const serving = local.length ? local : proxies;
    const why = serving
      .map((d) => ({ d, why: hiddenClients(repo.hosts.find((h) => h.name === d.host)?.engine ?? repo.config.engine, d) }))
      .find((x) => x.why !== undefined);
    if (!why) continue;
    for (const ref of host.stacks) {
      for (const entry of repo.stacks[ref.name]?.manifest.proxy ?? []) {
        if (!entry.lanOnly) continue;
        out.push(
          warning(
            'PROXY_LAN_ONLY_UNSAFE',
            entry.span,
            `${entry.host}${entry.path ?? ''} is lanOnly, but the proxy on ${why.d.host} cannot see client addresses: ${why.why!}. Every client would look like a LAN client, so berth render leaves this route out`,
            KEEP_CLIENT_ADDRESSES,
          ),
        );
      }
    }
  }
  return out;
}
