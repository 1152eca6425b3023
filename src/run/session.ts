import { hostname, homedir, userInfo } from 'node:os';
import { lockStack } from './lock.js';
import type { Repo } from '../model/repo.js';
import type { Style } from '../util/style.js';
import { LocalEngine, type Engine, type EngineKind } from './engine.js';
import { RunError, SelectionError } from './errors.js';
import { handleInterrupts } from './interrupt.js';
import { plainProgress, ttyProgress, type Progress } from './progress.js';
import { installedUnit, unitLoaded, userManagerAnswers, type StackUnit } from './systemd.js';
import { localHost, selectTargets, type StackTarget } from './target.js';
import type { RunContext } from './up.js';

/** What the run commands need of the terminal: plain types, so src/run never imports the CLI. */
export interface Terminal {
  out(text: string): void;
  err(text: string): void;
  style: Style;
  errStyle: Style;
  /** Whether stdout is a terminal: progress redraws in place there, and prints plain lines elsewhere. */
  tty: boolean;
  env: NodeJS.ProcessEnv;
}

/** The terminal of a command: progress redraws in place only when stdout is one. */
export function terminal(io: Omit<Terminal, 'tty'>): Terminal {
  return { out: io.out, err: io.err, style: io.style, errStyle: io.errStyle, env: io.env, tty: process.stdout.isTTY === true && io.env.TERM !== 'dumb' };
}

export function engineFor(kind: EngineKind, env: NodeJS.ProcessEnv): Engine {
  return new LocalEngine(kind, kind, env);
}

export function targetsFor(repo: Repo, stacks: readonly string[], host: string | undefined): StackTarget[] {
  return selectTargets(repo, stacks, host, machineName());
}

/** The engine of this machine's host (--host's), else berth.yml's: where a leftover stack's containers are. */
export function localEngineKind(repo: Repo, host: string | undefined): EngineKind {
  return localHost(repo, host, machineName())?.engine ?? repo.config.engine;
}

function machineName(): string {
  return hostname().split('.')[0] ?? '';
}

/** The user's runtime dir: XDG_RUNTIME_DIR, else where systemd-logind puts it. */
export function runtimeDirOf(env: NodeJS.ProcessEnv): string {
  return env.XDG_RUNTIME_DIR || `/run/user/${process.getuid?.() ?? 1000}`;
}

export function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

export function progressFor(term: Terminal, prefix = ''): Progress {
  return term.tty ? ttyProgress(term.out, term.style, prefix) : plainProgress(term.out, prefix);
}

/** A run context for one stack, writing to the terminal. */
export function runContext(term: Terminal, engine: Engine, timeoutSeconds: number, prefix = ''): RunContext {
  return {
    engine,
    progress: progressFor(term, prefix),
    uid: process.getuid?.() ?? 1000,
    home: homeOf(term.env),
    runtimeDir: runtimeDirOf(term.env),
    timeoutMs: timeoutSeconds * 1000,
    warn: (m) => term.err(`${term.errStyle.yellow('warning')}: ${m}\n`),
  };
}

/**
 * The stack's systemd unit when berth's units are installed and this user's systemd answers;
 * otherwise undefined, and the stack runs directly on the engine (said as a warning when units
 * exist but systemd cannot drive them).
 */
export async function systemdUnitFor(target: StackTarget, term: Terminal): Promise<StackUnit | undefined> {
  const unit = installedUnit(target.stack.name, homeOf(term.env));
  if (!unit) return undefined;
  const warn = (m: string) => term.err(`${term.errStyle.yellow('warning')}: ${m}\n`);
  if (!(await userManagerAnswers())) {
    warn(`${unit.unit} is installed, but systemctl --user does not answer (no user session; enable linger: loginctl enable-linger ${userInfo().username}); running ${target.stack.name} directly on the engine`);
    return undefined;
  }
  if (!(await unitLoaded(unit.unit))) {
    warn(`${unit.unit} is installed but not loaded (run: systemctl --user daemon-reload); running ${target.stack.name} directly on the engine`);
    return undefined;
  }
  return unit;
}

/** A positive number of seconds from a --timeout flag. */
export function timeoutSeconds(value: string | undefined, fallback = 300): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new SelectionError(`--timeout takes a number of seconds, not "${value}"`);
  return n;
}

/**
 * Runs `fn` for every stack even when one fails: each failure is printed as it happens (one line,
 * naming the stack), and with several stacks a summary line follows. Ctrl-C cleans up and exits
 * 130 (interrupt.ts). Returns whether every stack succeeded. Anything but a RunError is a bug and
 * propagates.
 */
export async function eachStack(targets: readonly StackTarget[], term: Terminal, verb: string, fn: (target: StackTarget) => Promise<void>): Promise<boolean> {
  return eachJob(targets.map((t) => ({ stack: t.stack.name, run: () => fn(t) })), term, verb);
}

/** eachStack for work that is not one of the repository's stacks (a leftover stack's containers). */
export async function eachJob(jobs: readonly { stack: string; run: () => Promise<void> }[], term: Terminal, verb: string): Promise<boolean> {
  const unhandle = handleInterrupts((text) => term.err(`${term.errStyle.red('error')}: ${text}\n`));
  const failed: string[] = [];
  try {
    for (const job of jobs) {
      try {
        // One berth at a time per stack, held across a whole job (a restart's stop and start alike).
        const release = lockStack(runtimeDirOf(term.env), job.stack, verb);
        try {
          await job.run();
        } finally {
          release();
        }
      } catch (e) {
        if (!(e instanceof RunError)) throw e;
        failed.push(job.stack);
        term.err(`${term.errStyle.red('error')}: ${job.stack}: ${e.message}\n`);
      }
    }
  } finally {
    unhandle();
  }
  if (jobs.length > 1) {
    const ok = jobs.length - failed.length;
    term.out(`${verb}: ${ok} of ${jobs.length} stacks done${failed.length ? `; failed: ${failed.join(', ')}` : ''}\n`);
  }
  return failed.length === 0;
}
