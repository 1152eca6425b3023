import type { Rule } from '../../rule.js';
import { rule as berthRepository } from './berth-repository.js';
import { rule as unusedIgnore } from './unused-ignore.js';

/** Rules that exist only inside a berth repository. Sorted by id. */
export const rules: Rule[] = [berthRepository, unusedIgnore];
