import type { Rule } from '../../rule.js';
import { rule as buildAndImage } from './build-and-image.js';
import { rule as composeReferences } from './compose-references.js';
import { rule as composeSyntax } from './compose-syntax.js';
import { rule as containerNameFormat } from './container-name-format.js';
import { rule as cpuLimit } from './cpu-limit.js';
import { rule as dependsOnHealthy } from './depends-on-healthy.js';
import { rule as duplicateKeys } from './duplicate-keys.js';
import { rule as execFormShellSyntax } from './exec-form-shell-syntax.js';
import { rule as healthcheckMissing } from './healthcheck-missing.js';
import { rule as imageDigest } from './image-digest.js';
import { rule as imageTag } from './image-tag.js';
import { rule as logRotation } from './log-rotation.js';
import { rule as memoryLimit } from './memory-limit.js';
import { rule as obsoleteVersion } from './obsolete-version.js';
import { rule as pidsLimit } from './pids-limit.js';
import { rule as portsQuoted } from './ports-quoted.js';
import { rule as restartPolicy } from './restart-policy.js';
import { rule as serviceKeysOrder } from './service-keys-order.js';

/** Compose rules on reliability, orchestration, monitoring and style. Sorted by id. */
export const rules: Rule[] = [buildAndImage, composeReferences, composeSyntax, containerNameFormat, cpuLimit, dependsOnHealthy, duplicateKeys, execFormShellSyntax, healthcheckMissing, imageDigest, imageTag, logRotation, memoryLimit, obsoleteVersion, pidsLimit, portsQuoted, restartPolicy, serviceKeysOrder];
