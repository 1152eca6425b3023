import { artifact, type Artifact } from '../artifact.js';
import type { StackRenderContext } from '../context.js';
import { rel, stackUnitBase } from '../layout.js';
import { renderedBy } from '../stack-common.js';
import { specifierSafe, unitFile } from '../unit-file.js';

/**
 * The handle of a stack in Quadlet mode: `systemctl --user start|stop berth-<stack>.target`.
 * It pulls in nothing itself: each container unit is WantedBy= and PartOf= it. It orders on
 * nothing either: ordering on other stacks and mounts is on the container units, which do the
 * work, and network-online.target is a system unit a user manager cannot order on.
 */
export function renderStackTarget(ctx: StackRenderContext): Artifact {
  const { stack, layout } = ctx;
  return artifact(
    rel(`${layout.userUnitDir}/${stackUnitBase(stack.name)}.target`),
    unitFile(
      [
        { name: 'Unit', entries: [['Description', specifierSafe(`berth stack ${stack.name}${stack.manifest.description ? `: ${stack.manifest.description}` : ''}`)]] },
        { name: 'Install', entries: [['WantedBy', 'default.target']] },
      ],
      renderedBy(stack.name),
    ),
  );
}
