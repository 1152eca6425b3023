import type { Rule } from '../../rule.js';

/** Dockerfile rules on security: users, secrets, downloads, TLS, signatures. Sorted by id. */
export const rules: Rule[] = [];
