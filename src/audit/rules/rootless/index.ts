import type { Rule } from '../../rule.js';
import { rule as autoupdateLabel } from './autoupdate-label.js';
import { rule as imageRegistry } from './image-registry.js';

/** The rootless-podman profile: the conventions of seed 004. Sorted by id. */
export const rules: Rule[] = [autoupdateLabel, imageRegistry];
