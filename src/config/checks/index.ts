import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Repo } from '../../model/repo.js';
import type { FileSource } from '../../source/files.js';
import { containerNameConflicts } from './container-name-conflicts.js';
import { dirOwnerConflicts } from './dir-owner-conflicts.js';
import { missingFiles } from './missing-files.js';
import { portConflicts } from './port-conflicts.js';
import { proxyHostConflicts } from './proxy-host-conflicts.js';
import { proxyLanOnly } from './proxy-lan-only.js';
import { stackNames } from './stack-names.js';
import { startOrderCycles } from './start-order-cycles.js';
import { unknownProfiles } from './unknown-profiles.js';
import { unknownStacks } from './unknown-stacks.js';
import { unusedStacks } from './unused-stacks.js';

/** A semantic check over a loaded repository: pure, one concern, all findings at once. */
export type RepoCheck = (repo: Repo, source: FileSource) => Diagnostic[];

export const REPO_CHECKS: readonly RepoCheck[] = [
  stackNames,
  unknownStacks,
  unusedStacks,
  portConflicts,
  containerNameConflicts,
  proxyHostConflicts,
  proxyLanOnly,
  missingFiles,
  dirOwnerConflicts,
  startOrderCycles,
  unknownProfiles,
];

export function runChecks(repo: Repo, source: FileSource): Diagnostic[] {
  return REPO_CHECKS.flatMap((check) => check(repo, source));
}
