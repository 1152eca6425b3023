import type { Rule } from '../../rule.js';
import { rule as baseImageDrift } from './base-image-drift.js';
import { rule as buildDevStage } from './build-dev-stage.js';
import { rule as buildReference } from './build-reference.js';
import { rule as composeSecretFileMissing } from './compose-secret-file-missing.js';
import { rule as dockerignoreMissing } from './dockerignore-missing.js';
import { rule as envExample } from './env-example.js';
import { rule as healthcheckDisagreement } from './healthcheck-disagreement.js';
import { rule as initProcess } from './init-process.js';
import { rule as mixedStacks } from './mixed-stacks.js';
import { rule as readmePresent } from './readme-present.js';

/** Rules across files: compose and Dockerfiles together, builds, drift, documentation. Sorted by id. */
export const rules: Rule[] = [
  baseImageDrift,
  buildDevStage,
  buildReference,
  composeSecretFileMissing,
  dockerignoreMissing,
  envExample,
  healthcheckDisagreement,
  initProcess,
  mixedStacks,
  readmePresent,
];
