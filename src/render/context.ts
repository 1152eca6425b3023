import type { Deployment, Host, Repo, Stack } from '../model/repo.js';
import type { Artifact, FidelityNote } from './artifact.js';
import type { HostLayout } from './layout.js';
import type { Entry } from './unit-file.js';

/** Everything a renderer needs about one stack on one host. Pure data: renderers do no I/O. */
export interface StackRenderContext {
  repo: Repo;
  host: Host;
  stack: Stack;
  deployment: Deployment;
  layout: HostLayout;
  /** Stack-level pieces both modes share (see stack-common.ts). */
  common: StackCommon;
  /** The stack folder's files (absolute repo path → bytes), read by the caller: renderers do no I/O. */
  files: ReadonlyMap<string, Uint8Array>;
}

/**
 * What every unit of a stack carries, whatever the mode: ordering on mounts and other stacks,
 * the preparation steps (decrypt secrets, prepare directories, the user's own pre-start), and
 * the stack folder shipped to the host.
 */
export interface StackCommon {
  /** [Unit] entries: RequiresMountsFor=, Wants=/After= on automounts, other stacks, units named in after:. */
  unitEntries: Entry[];
  /** Exec lines (argv) to run before any container starts, in order. Empty when there is nothing to prepare. */
  preStart: string[][];
  /** The oneshot user unit that runs preStart, when there is one ("berth-<stack>-prepare.service"). */
  prepareUnit?: string;
  /** Where a file of the repository's stack folder lives on the host (bind sources, env_file); other paths unchanged. */
  hostPath: (repoPath: string) => string;
  /**
   * Services whose environment reads secrets: the env file (written at start in the runtime dir)
   * that holds those keys, and the keys, which must not also be rendered as plain values.
   */
  secretEnv: Record<string, { file: string; keys: string[] }>;
  /** A digest of everything the stack's containers are made from (compose, .env, assets, manifest): restart when it changes. */
  inputsHash: string;
  artifacts: Artifact[];
  notes: FidelityNote[];
}

export interface StackRender {
  artifacts: Artifact[];
  notes: FidelityNote[];
}

export interface HostRenderContext {
  repo: Repo;
  host: Host;
  layout: HostLayout;
  deployments: Deployment[];
}
