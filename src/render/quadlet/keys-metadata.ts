import { serviceIdentity } from '../../run/config-hash.js';
import { LABEL } from '../../run/naming.js';
import type { StackRenderContext } from '../context.js';
import { execWord } from '../unit-file.js';
import type { KeyRule } from './service-render.js';

const AUTO_UPDATE = 'io.containers.autoupdate';

/**
 * Labels and annotations, and the labels every container gets: compose's project and service
 * labels (so tools that read them, and `berth status`, see the containers as compose would make
 * them), the stack, and the digest of the stack's inputs, which tells a stale container.
 */
export const METADATA_RULE: KeyRule = {
  keys: ['labels', 'annotations'],
  render(s) {
    const own = {
      [LABEL.project]: s.plan.project.name,
      [LABEL.service]: s.name,
      [LABEL.stack]: s.stack,
      [LABEL.inputs]: s.ctx.common.inputsHash,
      // The same per-service hash `berth up` stamps, so `berth status` sees a unit's container as in sync.
      [LABEL.config]: serviceIdentity(s.ctx.repo.dir, s.plan.project, s.name, s.ctx.stack.manifest.secrets, s.plan.identityInputs),
    };
    if (s.has('labels')) {
      const plain: string[] = [];
      for (const [k, v] of Object.entries(s.config.labels)) {
        if (Object.hasOwn(own, k)) {
          s.note('labels', 'ignored', `${k} is set by berth`);
          continue;
        }
        if (k === AUTO_UPDATE) {
          if (s.set(s.container, 'AutoUpdate', 'labels', v)) s.note('labels', 'mapped', `${AUTO_UPDATE}=${v} → AutoUpdate=${v} (podman auto-update, run by berth's timer)`);
          continue;
        }
        s.container.push(['Label', execWord(`${k}=${v}`)]);
        plain.push(k);
      }
      if (plain.length) s.note('labels', 'mapped', `Label= for ${plain.join(', ')}`);
    }
    for (const [k, v] of Object.entries(own)) s.container.push(['Label', execWord(`${k}=${v}`)]);
    if (s.has('annotations')) {
      for (const [k, v] of Object.entries(s.config.annotations)) s.container.push(['Annotation', execWord(`${k}=${v}`)]);
      s.note('annotations', 'mapped', `Annotation= for ${Object.keys(s.config.annotations).join(', ')}`);
    }
  },
};

/** The stack's files as `berth up` reads them for the hash: text, and encrypted secrets as base64. */
export function identityInputs(ctx: StackRenderContext): Record<string, string> {
  const secrets = new Set(ctx.stack.manifest.secrets.map((s) => s.file));
  return Object.fromEntries([...ctx.files].map(([path, bytes]) => [path, Buffer.from(bytes).toString(secrets.has(path) ? 'base64' : 'utf8')]));
}
