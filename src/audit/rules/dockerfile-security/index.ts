import type { Rule } from '../../rule.js';
import { rule as userRoot } from './user-root.js';

/** Dockerfile rules on security: users, secrets, downloads, TLS, signatures. Sorted by id. */
export const rules: Rule[] = [userRoot];
