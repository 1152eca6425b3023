import type { Style } from '../util/style.js';

/** What a command may touch of the process: its output streams, styles, cwd and environment. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  style: Style;
  errStyle: Style;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Exit codes: a contract documented in the README and kept by every command. */
export const EXIT = {
  OK: 0,
  /** Findings at or above the failure threshold, or an operation that failed. */
  FAILED: 1,
  /** Bad usage, or invalid configuration. */
  INVALID: 2,
  /** A bug in berth. */
  INTERNAL: 70,
} as const;

export class UsageError extends Error {}
