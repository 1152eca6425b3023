import type { Span } from '../../diagnostics/span.js';
import type { Deployment, Repo } from '../../model/repo.js';
import type { Service } from '../../model/compose.js';

/** Every service each host runs, with the stack it belongs to. */
export function* servicesByHost(repo: Repo): Generator<[string, { deployment: Deployment; service: Service }[]]> {
  for (const host of repo.hosts) {
    const list = repo.deployments
      .filter((d) => d.host === host.name)
      .flatMap((deployment) => Object.values(deployment.project.services).map((service) => ({ deployment, service })));
    yield [host.name, list];
  }
}

export function where(stack: string, service: string, span: Span): string {
  return `service "${service}" of stack "${stack}" (${span.file.split('/').slice(-3).join('/')}:${span.line})`;
}
