import { attachCommand, commandFailed, runCommand, type ExecOptions, type ExecResult } from './command.js';

export type EngineKind = 'podman' | 'docker';

/**
 * The narrow door to a container engine: its CLI, one command at a time. Everything berth does to
 * containers goes through here, so a test can hand in another implementation for the faults that
 * cannot be caused on a real engine.
 */
export interface Engine {
  readonly kind: EngineKind;
  /** The program, as shown in messages. */
  readonly binary: string;
  run(args: readonly string[], options?: Pick<ExecOptions, 'input'>): Promise<ExecResult>;
  /** Runs with the terminal's own streams (`logs -f`), returning the exit code. */
  attach(args: readonly string[]): Promise<number>;
}

/** The engine's CLI on this machine, spawned directly (no shell). */
export class LocalEngine implements Engine {
  constructor(
    readonly kind: EngineKind,
    readonly binary: string = kind,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  run(args: readonly string[], options: Pick<ExecOptions, 'input'> = {}): Promise<ExecResult> {
    return runCommand(this.binary, args, { ...options, env: this.env });
  }

  attach(args: readonly string[]): Promise<number> {
    return attachCommand(this.binary, args, this.env);
  }
}

/** Runs an engine command that must succeed: its stdout, or a RunError naming what failed, the command and its stderr. */
export async function must(engine: Engine, args: readonly string[], what: string, options?: Pick<ExecOptions, 'input'>): Promise<string> {
  const r = await engine.run(args, options);
  if (r.code !== 0) throw commandFailed(engine.binary, args, what, r);
  return r.stdout;
}
