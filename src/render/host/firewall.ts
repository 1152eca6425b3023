import type { FidelityNote } from '../artifact.js';
import { artifact, type Artifact } from '../artifact.js';
import type { HostRenderContext } from '../context.js';
import { rel, type HostLayout } from '../layout.js';
import { sharesNamespace } from '../quadlet/keys-network.js';

type Proto = 'tcp' | 'udp';
const PROTOS: Proto[] = ['tcp', 'udp'];

/** The chain the host's own input chain jumps to. */
export const FIREWALL_CHAIN = 'berth_input';

/**
 * Where the chain is rendered: outside /etc/nftables.d on purpose. Rulesets that include
 * "/etc/nftables.d/*.nft" at top level (as berth's own header once advised) would fail to load on
 * a bare chain, and a ruleset that fails to load at boot leaves the host with no firewall at all.
 */
export function firewallFile(layout: HostLayout): string {
  return `${layout.etcDir}/firewall.nft`;
}

/**
 * The ports each stack declares in stack.yml `firewall:` (rootless Podman cannot touch the
 * firewall itself), as a chain of accept rules for the host's own ruleset to include and jump to.
 * Not a table of berth's own: nftables runs every table's input chain and a drop in any of them
 * wins, so an accept in a separate table opens nothing that the host's firewall closes (and where
 * nothing closes it, there is nothing to open). Also notes where the declarations and the
 * published ports disagree: a port published on all addresses that no declaration opens, and a
 * declared port that nothing publishes.
 */
export function renderFirewall(ctx: HostRenderContext): { artifact: Artifact; notes: FidelityNote[] } {
  const { host, layout, repo } = ctx;
  const notes: FidelityNote[] = [];
  const rules: string[] = [];
  const deployments = [...ctx.deployments].sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
  for (const d of deployments) {
    const declared = repo.stacks[d.stack]?.manifest.firewall ?? { tcp: [], udp: [] };
    const lines = PROTOS.filter((p) => declared[p].length).map((p) => `\t${p} dport ${portSet(declared[p])} accept comment "stack ${d.stack}"`);
    if (lines.length) rules.push(`\t# stack ${d.stack}`, ...lines);

    const published: Record<Proto, Map<number, boolean>> = { tcp: new Map(), udp: new Map() };
    const services = Object.entries(d.project.services).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [name, s] of services) {
      // No network namespace of its own (host, none, service:X, ...): its ports are refused, nothing is published.
      if (sharesNamespace(s.config.network_mode)) continue;
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

  const file = firewallFile(layout);
  const text = `# The ports the stacks on ${host.name} declare (stack.yml firewall:), as the nftables chain ${FIREWALL_CHAIN}.
# Rendered by berth; do not edit: change the repository and render again.
#
# On its own it opens nothing. nftables runs the input chain of every table and a drop in any of
# them wins, so these accepts count only inside the table of your ruleset that filters input.
# Include the file in that table and jump to the chain from its input chain, before the rule or
# policy that drops; /etc/nftables.conf (Debian's starts with flush ruleset) for instance:
#
#   table inet filter {
#     include "${file}"
#     chain input {
#       type filter hook input priority filter; policy drop;
#       ct state established,related accept
#       jump ${FIREWALL_CHAIN}
#     }
#   }
#
# Then reload the whole ruleset: systemctl reload nftables (nft -f /etc/nftables.conf). Its flush
# ruleset rebuilds the chain, so a port no longer declared closes; without it, a reload would add
# the rules a second time. The file cannot be loaded alone (a chain lives inside a table). With
# firewalld or iptables instead, open the same ports there. prerequisites.sh (step checks) tells
# whether the loaded ruleset jumps here.
chain ${FIREWALL_CHAIN} {
${rules.length ? rules.join('\n') + '\n' : ''}}
`;
  return { artifact: artifact(rel(file), text), notes };
}

function portSet(ports: number[]): string {
  const sorted = [...ports].sort((a, b) => a - b);
  return sorted.length === 1 ? String(sorted[0]) : `{ ${sorted.join(', ')} }`;
}

function isLoopback(ip: string | undefined): boolean {
  return ip !== undefined && (ip.startsWith('127.') || ip === '::1' || ip === '[::1]' || ip === 'localhost');
}
