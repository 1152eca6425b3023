import type { Rule } from '../../rule.js';
import { rule as composeSecretFileMissing } from './compose-secret-file-missing.js';

/** Rules across files: compose and Dockerfiles together, builds, drift, documentation. Sorted by id. */
export const rules: Rule[] = [composeSecretFileMissing];
