import { hasErrors } from '../../diagnostics/diagnostic.js';
import { diagnosticsJson, formatDiagnostics, summary } from '../../diagnostics/format.js';
import { EXIT, type Io } from '../io.js';
import { loadForCli, repoDir } from '../load.js';
import type { ParsedArgs } from '../registry.js';

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  const r = loadForCli(repoDir(args, io, args.positionals[0]), io);
  const ok = !hasErrors(r.diagnostics);
  const repo = r.repo;
  const counts = {
    hosts: repo?.hosts.length ?? 0,
    stacks: Object.keys(repo?.stacks ?? {}).length,
    services: new Set(repo?.deployments.flatMap((d) => Object.keys(d.project.services).map((s) => `${d.stack}/${s}`)) ?? []).size,
  };
  if (args.values.json) {
    io.out(JSON.stringify({ repo: r.shown, valid: ok, ...counts, diagnostics: diagnosticsJson(r.diagnostics, io.cwd) }, null, 2) + '\n');
    return ok ? EXIT.OK : EXIT.INVALID;
  }
  const shown = r.diagnostics.filter((d) => d.severity !== 'info' || !ok);
  if (shown.length) io.out(formatDiagnostics(r.diagnostics, (f) => r.source.texts.get(f), io.style, io.cwd) + '\n\n');
  const s = io.style;
  const verdict = ok ? s.green('valid') : s.red('invalid');
  io.out(`${s.bold(r.shown)}: ${verdict}: ${counts.hosts} host${counts.hosts === 1 ? '' : 's'}, ${counts.stacks} stack${counts.stacks === 1 ? '' : 's'}, ${counts.services} service${counts.services === 1 ? '' : 's'} (${summary(r.diagnostics)})\n`);
  return ok ? EXIT.OK : EXIT.INVALID;
}
