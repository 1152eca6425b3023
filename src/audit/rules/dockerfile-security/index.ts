import type { Rule } from '../../rule.js';
import { rule as addInsteadOfCopy } from './add-instead-of-copy.js';
import { rule as chpasswdInBuild } from './chpasswd-in-build.js';
import { rule as curlPipeShell } from './curl-pipe-shell.js';
import { rule as execFormVariables } from './exec-form-variables.js';
import { rule as exposeSsh } from './expose-ssh.js';
import { rule as healthcheckInstruction } from './healthcheck-instruction.js';
import { rule as secretsInBuild } from './secrets-in-build.js';
import { rule as sudoInRun } from './sudo-in-run.js';
import { rule as tlsVerificationDisabled } from './tls-verification-disabled.js';
import { rule as trustedRegistry } from './trusted-registry.js';
import { rule as unsignedPackages } from './unsigned-packages.js';
import { rule as userRoot } from './user-root.js';

/** Dockerfile rules on security: users, secrets, downloads, TLS, signatures. Sorted by id. */
export const rules: Rule[] = [addInsteadOfCopy, chpasswdInBuild, curlPipeShell, execFormVariables, exposeSsh, healthcheckInstruction, secretsInBuild, sudoInRun, tlsVerificationDisabled, trustedRegistry, unsignedPackages, userRoot];
