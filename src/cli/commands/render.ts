import { join, resolve, relative } from 'node:path';
import type { FidelityNote } from '../../render/artifact.js';
import { collectStackFiles } from '../../render/collect.js';
import { renderHost, type HostRender } from '../../render/render-host.js';
import { checkWritable, writeTree } from '../../render/write-tree.js';
import { didYouMean } from '../../util/suggest.js';
import { table } from '../../util/table.js';
import { EXIT, UsageError, type Io } from '../io.js';
import { loadForCli, repoDir, reportProblems } from '../load.js';
import type { ParsedArgs } from '../registry.js';
import type { Mode } from '../../model/repo.js';

const MODES: Mode[] = ['quadlet', 'compose'];

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  const mode = args.values.mode as string | undefined;
  if (mode !== undefined && !MODES.includes(mode as Mode)) throw new UsageError(`--mode must be quadlet or compose, not "${mode}"`);
  const r = loadForCli(repoDir(args, io), io);
  if (reportProblems(r, io) || !r.repo) return EXIT.INVALID;
  const repo = r.repo;
  const wanted = args.positionals[0] ?? 'all';
  const hosts = wanted === 'all' ? repo.hosts : repo.hosts.filter((h) => h.name === wanted);
  if (hosts.length === 0) {
    const names = repo.hosts.map((h) => h.name);
    throw new UsageError(names.length ? `no host "${wanted}" in hosts.yml; ${didYouMean(wanted, names) ?? `hosts: ${names.join(', ')}`} (or "all")` : 'hosts.yml lists no hosts: nothing to render');
  }
  const outFlag = args.values.out as string | undefined;
  const outFor = (host: string) => resolve(io.cwd, outFlag === undefined ? join('out/render', host) : hosts.length === 1 && wanted !== 'all' ? outFlag : join(outFlag, host));

  // Every target is checked before any is written: no half-written set of hosts.
  for (const host of hosts) checkWritable(outFor(host.name));
  const files = collectStackFiles(repo, new Set(hosts.flatMap((h) => h.stacks.map((s) => s.name))));
  const renders: (HostRender & { dir: string })[] = [];
  for (const host of hosts) {
    const render = renderHost(repo, host, files, (mode as Mode | undefined) ?? host.mode);
    const dir = outFor(host.name);
    writeTree(dir, render.artifacts, `berth render ${host.name} (${render.mode} mode)`);
    renders.push({ ...render, dir });
  }

  const refused = renders.flatMap((x) => x.notes.filter((n) => n.fidelity === 'refused').map((n) => ({ ...n, host: x.host })));
  if (args.values.json) {
    io.out(JSON.stringify(renders.map((x) => ({ host: x.host, mode: x.mode, out: shownPath(io.cwd, x.dir), files: x.artifacts.map((a) => ({ path: a.path, mode: (a.mode ?? 0o644).toString(8) })), notes: x.notes })), null, 2) + '\n');
    return refused.length ? EXIT.FAILED : EXIT.OK;
  }
  const s = io.style;
  for (const x of renders) {
    const counts = countBy(x.notes);
    const extra = (['approximated', 'refused'] as const).filter((f) => counts[f]).map((f) => `${counts[f]} ${f}`);
    io.out(`${s.bold(x.host)} (${x.mode} mode): ${x.artifacts.length} files in ${shownPath(io.cwd, x.dir)}${extra.length ? `; ${extra.join(', ')}${args.values.explain ? '' : ' (see --explain)'}` : ''}\n`);
    if (args.values.explain) io.out(explain(x.notes) + '\n');
  }
  if (refused.length && !args.values.explain) {
    for (const n of refused) io.err(`${s.red('refused')}: ${n.host}: ${n.stack}${n.service ? `/${n.service}` : ''}: ${n.key}: ${n.message}\n`);
  }
  return refused.length ? EXIT.FAILED : EXIT.OK;
}

/** Relative to where the user stands, unless that means climbing out of it. */
function shownPath(cwd: string, dir: string): string {
  const r = relative(cwd, dir);
  return r === '' ? '.' : r.startsWith('..') ? dir : r;
}

function countBy(notes: FidelityNote[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of notes) out[n.fidelity] = (out[n.fidelity] ?? 0) + 1;
  return out;
}

/** The per-key fidelity report: what each compose key became, grouped by stack and service. */
function explain(notes: FidelityNote[]): string {
  if (notes.length === 0) return '  nothing to report\n';
  const rows = [...notes]
    .sort((a, b) => `${a.stack}/${a.service ?? ''}/${a.key}`.localeCompare(`${b.stack}/${b.service ?? ''}/${b.key}`))
    .map((n) => [`${n.stack}${n.service ? `/${n.service}` : ''}`, n.key, n.fidelity, n.message]);
  return table(['STACK/SERVICE', 'KEY', 'FIDELITY', 'WHAT BECAME OF IT'], rows);
}
