import type { Rule } from '../../rule.js';
import { rule as noPrivileged } from './no-privileged.js';

/** Compose rules on container security: privileges, namespaces, mounts, ports, credentials. Sorted by id. */
export const rules: Rule[] = [noPrivileged];
