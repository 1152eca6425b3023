import type { Rule } from '../../rule.js';
import { rule as baseImageTag } from './base-image-tag.js';

/** Dockerfile rules on how images are built: bases, stages, package managers, layers, instructions. Sorted by id. */
export const rules: Rule[] = [baseImageTag];
