import type { FidelityNote } from '../artifact.js';
import { artifact, type Artifact } from '../artifact.js';
import type { HostRenderContext } from '../context.js';
import { rel } from '../layout.js';

type Proto = 'tcp' | 'udp';
const PROTOS: Proto[] = ['tcp', 'udp'];

/**
 * The nftables table that opens what each stack declares in stack.yml `firewall:` (rootless Podman
 * cannot touch the firewall itself). Reloading the file replaces the table as a whole, so a port
 * that is no longer declared closes. Also notes where the declarations and the published ports
 * disagree: a port published on all addresses that no declaration opens, and a declared port that
 * nothing publishes.
 */
export function renderFirewall(ctx: HostRenderContext): { artifact: Artifact; notes: FidelityNote[] } {
  const { host, layout, repo } = ctx;
  const notes: FidelityNote[] = [];
  const rules: string[] = [];
  const deployments = [...ctx.deployments].sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
  for (const d of deployments) {
    const declared = repo.stacks[d.stack]?.manifest.firewall ?? { tcp: [], udp: [] };
    const lines = PROTOS.filter((p) => declared[p].length).map((p) => `\t\t${p} dport ${portSet(declared[p])} accept comment "stack ${d.stack}"`);
    if (lines.length) rules.push(`\t\t# stack ${d.stack}`, ...lines);

    const published: Record<Proto, Map<number, boolean>> = { tcp: new Map(), udp: new Map() };
    const services = Object.entries(d.project.services).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [name, s] of services) {
      for (const p of s.config.ports) {
        if (p.published === undefined || (p.protocol !== 'tcp' && p.protocol !== 'udp')) continue;
        const open = !isLoopback(p.host_ip);
        published[p.protocol].set(p.published, (published[p.protocol].get(p.published) ?? false) || open);
        if (open && !declared[p.protocol].includes(p.published)) {
          notes.push({
            stack: d.stack,
            service: name,
            key: 'ports',
            fidelity: 'approximated',
            message: `publishes ${p.host_ip ?? '0.0.0.0'}:${p.published}/${p.protocol} on all addresses, but stack.yml's firewall does not open it: other machines reach it only if the host's firewall allows it anyway. Add it to firewall.${p.protocol}, or publish on 127.0.0.1`,
          });
        }
      }
    }
    // A service on the host's network listens without publishing: nothing to compare with.
    if (services.some(([, s]) => s.config.network_mode === 'host')) continue;
    for (const proto of PROTOS) {
      for (const port of [...declared[proto]].sort((a, b) => a - b)) {
        const open = published[proto].get(port);
        if (open) continue;
        notes.push({
          stack: d.stack,
          key: 'firewall',
          fidelity: 'approximated',
          message:
            open === false
              ? `firewall opens ${port}/${proto} on ${host.name}, but the stack publishes it on the loopback address only: the open port leads nowhere`
              : `firewall opens ${port}/${proto} on ${host.name}, but no service of the stack publishes it there`,
        });
      }
    }
  }

  const text = `#!/usr/sbin/nft -f
# The ports the stacks on ${host.name} declare (stack.yml firewall:). Rendered by berth; do not edit.
# Load it with nft -f ${layout.nftablesFile}, or from /etc/nftables.conf: include "/etc/nftables.d/*.nft".
# Loading it again replaces the whole table, so ports no longer declared close.
# nftables runs the input chain of every table: an accept here passes this table only, and a drop
# in another table still wins. Where your own ruleset drops by default, it must accept these too.
table inet berth
delete table inet berth

table inet berth {
\tchain input {
\t\ttype filter hook input priority filter; policy accept;
${rules.length ? rules.join('\n') + '\n' : ''}\t}
}
`;
  return { artifact: artifact(rel(layout.nftablesFile), text), notes };
}

function portSet(ports: number[]): string {
  const sorted = [...ports].sort((a, b) => a - b);
  return sorted.length === 1 ? String(sorted[0]) : `{ ${sorted.join(', ')} }`;
}

function isLoopback(ip: string | undefined): boolean {
  return ip !== undefined && (ip.startsWith('127.') || ip === '::1' || ip === '[::1]' || ip === 'localhost');
}
