import type { Rule } from '../../rule.js';
import { rule as obsoleteVersion } from './obsolete-version.js';

/** Compose rules on reliability, orchestration, monitoring and style. Sorted by id. */
export const rules: Rule[] = [obsoleteVersion];
