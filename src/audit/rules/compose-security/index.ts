import type { Rule } from '../../rule.js';
import { rule as bindPropagation } from './bind-propagation.js';
import { rule as capDropAll } from './cap-drop-all.js';
import { rule as dangerousCapAdd } from './dangerous-cap-add.js';
import { rule as databasePortExposed } from './database-port-exposed.js';
import { rule as engineSocketMount } from './engine-socket-mount.js';
import { rule as hardcodedCredentials } from './hardcoded-credentials.js';
import { rule as hostDevices } from './host-devices.js';
import { rule as noHostIpc } from './no-host-ipc.js';
import { rule as noHostNetwork } from './no-host-network.js';
import { rule as noHostPid } from './no-host-pid.js';
import { rule as noHostUtsUserns } from './no-host-uts-userns.js';
import { rule as noNewPrivileges } from './no-new-privileges.js';
import { rule as noPrivileged } from './no-privileged.js';
import { rule as portAllInterfaces } from './port-all-interfaces.js';
import { rule as readOnlyRootfs } from './read-only-rootfs.js';
import { rule as runAsRoot } from './run-as-root.js';
import { rule as secretsAsEnvironment } from './secrets-as-environment.js';
import { rule as sensitiveHostMount } from './sensitive-host-mount.js';
import { rule as sshdExposed } from './sshd-exposed.js';
import { rule as unconfinedSecurityOpt } from './unconfined-security-opt.js';

/** Compose rules on container security: privileges, namespaces, mounts, ports, credentials. Sorted by id. */
export const rules: Rule[] = [
  bindPropagation,
  capDropAll,
  dangerousCapAdd,
  databasePortExposed,
  engineSocketMount,
  hardcodedCredentials,
  hostDevices,
  noHostIpc,
  noHostNetwork,
  noHostPid,
  noHostUtsUserns,
  noNewPrivileges,
  noPrivileged,
  portAllInterfaces,
  readOnlyRootfs,
  runAsRoot,
  secretsAsEnvironment,
  sensitiveHostMount,
  sshdExposed,
  unconfinedSecurityOpt,
];
