import type { Rule } from '../rule.js';
import { rules as berth } from './berth/index.js';
import { rules as composeOperations } from './compose-operations/index.js';
import { rules as composeSecurity } from './compose-security/index.js';
import { rules as dockerfileBuild } from './dockerfile-build/index.js';
import { rules as dockerfileSecurity } from './dockerfile-security/index.js';
import { rules as project } from './project/index.js';
import { rules as rootless } from './rootless/index.js';

/** Every rule, by id, sorted. A test checks ids are unique and each has docs and cases. */
export const RULES: ReadonlyMap<string, Rule> = new Map(
  [...berth, ...composeSecurity, ...composeOperations, ...rootless, ...dockerfileSecurity, ...dockerfileBuild, ...project]
    .sort((a, b) => a.meta.id.localeCompare(b.meta.id))
    .map((r) => [r.meta.id, r]),
);
