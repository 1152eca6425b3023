import type { Rule } from '../../rule.js';

/** The rootless-podman profile: the conventions of seed 004. Sorted by id. */
export const rules: Rule[] = [];
