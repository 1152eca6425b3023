import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { EXIT, UsageError, type Io } from '../io.js';
import { loadForCli, reportProblems } from '../load.js';
import type { ParsedArgs } from '../registry.js';
import { runDoctor, type CheckResult, type MachineFacts } from '../../run/doctor/index.js';
import { userManagerAnswers } from '../../run/systemd.js';
import { engineFor, homeOf, runtimeDirOf, targetsFor } from '../../run/session.js';
import type { StackTarget } from '../../run/target.js';

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  const targets = loadTargets(args, io);
  if (targets === undefined) return EXIT.INVALID;
  const me = userInfo();
  const kind = targets[0]?.host.engine ?? 'podman';
  const runtime = runtimeDirOf(io.env);
  const facts: MachineFacts = {
    user: me.username,
    uid: me.uid,
    gids: process.getgroups?.() ?? [],
    subuidFile: '/etc/subuid',
    subgidFile: '/etc/subgid',
    runtimeDir: runtime,
    lingerDir: '/var/lib/systemd/linger',
    mountinfoFile: '/proc/self/mountinfo',
    tunDevice: '/dev/net/tun',
    searchPath: [...(io.env.PATH ?? '').split(':').filter(Boolean), '/usr/bin', '/usr/sbin', '/run/wrappers/bin'],
    socket: kind === 'podman' ? (me.uid === 0 ? '/run/podman/podman.sock' : `${runtime}/podman/podman.sock`) : '/var/run/docker.sock',
    engine: engineFor(kind, io.env),
    systemd: await userManagerAnswers(),
    home: homeOf(io.env),
  };
  const results = await runDoctor(facts, targets);
  if (args.values.json) {
    io.out(JSON.stringify(results, null, 2) + '\n');
  } else {
    for (const r of results) io.out(line(r, io));
    const counts = (v: CheckResult['verdict']) => results.filter((r) => r.verdict === v).length;
    io.out(`\n${counts('pass')} passed, ${counts('warn')} warnings, ${counts('fail')} failed\n`);
  }
  return results.some((r) => r.verdict === 'fail') ? EXIT.FAILED : EXIT.OK;
}

function line(r: CheckResult, io: Io): string {
  const s = io.style;
  const mark = r.verdict === 'pass' ? s.green('✓ pass') : r.verdict === 'warn' ? s.yellow('! warn') : s.red('✗ fail');
  return `${mark}  ${s.bold(r.check)}: ${r.message}\n${r.fix ? `        ${s.dim('fix:')} ${r.fix}\n` : ''}`;
}

/** The host's stacks when a repository is at hand; none (machine checks only) when there is no repository. */
function loadTargets(args: ParsedArgs, io: Io): StackTarget[] | undefined {
  const flag = args.values.repo as string | undefined;
  const dir = resolve(io.cwd, flag ?? '.');
  const isRepo = existsSync(join(dir, 'berth.yml')) || existsSync(join(dir, 'hosts.yml'));
  if (!isRepo) {
    if (flag !== undefined || args.values.host !== undefined) throw new UsageError(`${flag ?? '.'} is not a berth repository (no berth.yml or hosts.yml); without one, doctor checks the machine only`);
    return [];
  }
  const r = loadForCli(dir, io);
  if (reportProblems(r, io)) return undefined;
  return targetsFor(r.repo!, [], args.values.host as string | undefined);
}
