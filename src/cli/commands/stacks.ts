import type { PortMapping } from '../../model/compose.js';
import type { Deployment } from '../../model/repo.js';
import { didYouMean } from '../../util/suggest.js';
import { table } from '../../util/table.js';
import { EXIT, UsageError, type Io } from '../io.js';
import { loadForCli, repoDir, reportProblems } from '../load.js';
import type { ParsedArgs } from '../registry.js';

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  const r = loadForCli(repoDir(args, io), io);
  const repo = r.repo;
  const hostName = args.positionals[0];
  if (hostName !== undefined && repo && !repo.hosts.some((h) => h.name === hostName)) {
    const names = repo.hosts.map((h) => h.name);
    throw new UsageError(`no host "${hostName}" in hosts.yml; ${didYouMean(hostName, names) ?? `hosts: ${names.join(', ') || 'none'}`}`);
  }
  const failed = reportProblems(r, io);
  const stacks = Object.values(repo?.stacks ?? {}).filter((s) => hostName === undefined || repo!.hosts.find((h) => h.name === hostName)!.stacks.some((x) => x.name === s.name));
  const rows = stacks.map((s) => {
    const hosts = repo!.hosts.filter((h) => h.stacks.some((x) => x.name === s.name)).map((h) => h.name);
    const deployment: Deployment | undefined = repo!.deployments.find((d) => d.stack === s.name && (hostName === undefined || d.host === hostName));
    const services = deployment ? Object.keys(deployment.project.services) : [];
    const ports = deployment ? portList(Object.values(deployment.project.services).flatMap((svc) => svc.config.ports)) : [];
    return { name: s.name, description: s.manifest.description ?? '', hosts, services, ports };
  });
  if (args.values.json) {
    io.out(JSON.stringify(rows, null, 2) + '\n');
  } else if (rows.length === 0) {
    io.out(hostName ? `host "${hostName}" runs no stacks\n` : 'no stacks (create folders under stacks/)\n');
  } else {
    io.out(table(['STACK', 'HOSTS', 'SERVICES', 'PORTS', 'DESCRIPTION'], rows.map((x) => [x.name, x.hosts.join(', ') || '-', x.services.join(', ') || '-', x.ports.join(', ') || '-', x.description])) + '\n');
  }
  return failed ? EXIT.INVALID : EXIT.OK;
}

/** Published ports as people write them: consecutive ports on one address and protocol become a range. */
function portList(ports: PortMapping[]): string[] {
  const groups = new Map<string, number[]>();
  for (const p of ports) {
    if (p.published === undefined) continue;
    const key = `${p.host_ip ? `${p.host_ip}:` : ''}\u0000${p.protocol}`;
    groups.set(key, [...(groups.get(key) ?? []), p.published]);
  }
  const out: string[] = [];
  for (const [key, list] of groups) {
    const [ip, protocol] = key.split('\u0000') as [string, string];
    const sorted = [...new Set(list)].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; ) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
      out.push(`${ip}${i === j ? sorted[i] : `${sorted[i]}-${sorted[j]}`}/${protocol}`);
      i = j + 1;
    }
  }
  return out;
}
