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
    const ports = deployment
      ? Object.values(deployment.project.services).flatMap((svc) => svc.config.ports.filter((p) => p.published !== undefined).map((p) => `${p.host_ip ? `${p.host_ip}:` : ''}${p.published}/${p.protocol}`))
      : [];
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
