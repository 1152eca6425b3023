import type { Rule } from '../../rule.js';
import { rule as aptGetNotApt } from './apt-get-not-apt.js';
import { rule as aptGetYes } from './apt-get-yes.js';
import { rule as aptNoRecommends } from './apt-no-recommends.js';
import { rule as aptUpdateAlone } from './apt-update-alone.js';
import { rule as baseImageTag } from './base-image-tag.js';
import { rule as buildToolsInFinalStage } from './build-tools-in-final-stage.js';
import { rule as consecutiveRun } from './consecutive-run.js';
import { rule as copyDestinationSlash } from './copy-destination-slash.js';
import { rule as dockerfileSyntax } from './dockerfile-syntax.js';
import { rule as execFormCmd } from './exec-form-cmd.js';
import { rule as exposeValidPort } from './expose-valid-port.js';
import { rule as fromPlatform } from './from-platform.js';
import { rule as maintainerDeprecated } from './maintainer-deprecated.js';
import { rule as ociLabels } from './oci-labels.js';
import { rule as packageCache } from './package-cache.js';
import { rule as packageUpgrade } from './package-upgrade.js';
import { rule as pinPackages } from './pin-packages.js';
import { rule as pipefail } from './pipefail.js';
import { rule as runCd } from './run-cd.js';
import { rule as singleCmdEntrypoint } from './single-cmd-entrypoint.js';
import { rule as stageReferences } from './stage-references.js';
import { rule as useraddHighUid } from './useradd-high-uid.js';
import { rule as workdirAbsolute } from './workdir-absolute.js';

/** Dockerfile rules on how images are built: bases, stages, package managers, layers, instructions. Sorted by id. */
export const rules: Rule[] = [
  aptGetNotApt,
  aptGetYes,
  aptNoRecommends,
  aptUpdateAlone,
  baseImageTag,
  buildToolsInFinalStage,
  consecutiveRun,
  copyDestinationSlash,
  execFormCmd,
  exposeValidPort,
  fromPlatform,
  maintainerDeprecated,
  ociLabels,
  packageCache,
  packageUpgrade,
  pinPackages,
  pipefail,
  runCd,
  singleCmdEntrypoint,
  stageReferences,
  useraddHighUid,
  workdirAbsolute,
  dockerfileSyntax,
];
