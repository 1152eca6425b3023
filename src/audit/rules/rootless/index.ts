import type { Rule } from '../../rule.js';
import { rule as autoupdateLabel } from './autoupdate-label.js';
import { rule as chownNetworkRoot } from './chown-network-root.js';
import { rule as databaseVolumeChown } from './database-volume-chown.js';
import { rule as engineSocketReadWrite } from './engine-socket-read-write.js';
import { rule as hardcodedHostPath } from './hardcoded-host-path.js';
import { rule as imageRegistry } from './image-registry.js';
import { rule as linuxserverPuid } from './linuxserver-puid.js';
import { rule as networkMountHealthcheck } from './network-mount-healthcheck.js';
import { rule as podmanSocketPath } from './podman-socket-path.js';
import { rule as privilegedPortRootless } from './privileged-port-rootless.js';

/** The rootless-podman profile: the conventions of seed 004. Sorted by id. */
export const rules: Rule[] = [
  autoupdateLabel,
  chownNetworkRoot,
  databaseVolumeChown,
  engineSocketReadWrite,
  hardcodedHostPath,
  imageRegistry,
  linuxserverPuid,
  networkMountHealthcheck,
  podmanSocketPath,
  privilegedPortRootless,
];
