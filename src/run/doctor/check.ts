import type { Engine } from '../engine.js';
import type { StackTarget } from '../target.js';

export type Verdict = 'pass' | 'warn' | 'fail';

/** One finding of `berth doctor`: what was checked, the verdict, what was seen, and how to fix it. */
export interface CheckResult {
  check: string;
  verdict: Verdict;
  message: string;
  fix?: string;
}

/**
 * The machine as the checks see it. Paths are data, so a test can point the checks at files it
 * wrote (a subuid file without the user, a runtime dir someone else owns) instead of this
 * machine's own.
 */
export interface MachineFacts {
  user: string;
  uid: number;
  /** The groups the user is in (a device a group may use counts as usable). */
  gids?: number[];
  subuidFile: string;
  subgidFile: string;
  runtimeDir: string;
  lingerDir: string;
  mountinfoFile: string;
  tunDevice: string;
  /** Where to look for newuidmap/newgidmap, like PATH. */
  searchPath: string[];
  /** The engine API socket (Podman's user socket, or Docker's). */
  socket: string;
  engine: Engine;
  /** Whether systemctl --user answers; stack unit checks are skipped when it does not. */
  systemd: boolean;
  home: string;
}

/** A check of the machine: one small function, one concern. */
export type MachineCheck = (facts: MachineFacts) => CheckResult[] | Promise<CheckResult[]>;

/** A check of one stack on this machine. */
export type StackCheck = (target: StackTarget, facts: MachineFacts) => CheckResult[] | Promise<CheckResult[]>;

export const pass = (check: string, message: string): CheckResult => ({ check, verdict: 'pass', message });
export const warn = (check: string, message: string, fix: string): CheckResult => ({ check, verdict: 'warn', message, fix });
export const fail = (check: string, message: string, fix: string): CheckResult => ({ check, verdict: 'fail', message, fix });
