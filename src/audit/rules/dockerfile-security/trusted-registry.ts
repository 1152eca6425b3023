import type { ImageRef } from '../../../dockerfile/model.js';
import type { Span } from '../../../diagnostics/span.js';
import type { DockerfileRule } from '../../rule.js';
import { isTrusted, parseImage, qualified } from '../_images.js';

/** FROM (and COPY --from) images pulled from a registry outside the trusted list (settings.trustedRegistries). */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'trusted-registry',
    title: 'Base images come from trusted registries',
    category: 'security',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    const globs = ctx.settings.trustedRegistries.filter((g) => g.trim() !== '');
    if (globs.length === 0) return ctx.skip(); // no list configured: any registry goes
    const list = globs.join(', ');
    let looked = false;
    const check = (ref: { registry?: string; name: string }, text: string, span: Span, how: string) => {
      looked = true;
      if (ref.registry === 'localhost') return; // Podman's name for images built here: nothing is pulled
      if (isTrusted(globs, ref)) return;
      const { registry } = qualified(ref);
      ctx.report({ span, message: `${how} ${text} comes from ${registry}, which is not in the trusted registries (${list}): mirror the image to a trusted registry or add ${registry} to the list` });
    };
    const stageNames = new Set(ctx.dockerfile.stages.map((s) => s.name).filter((n): n is string => n !== undefined));
    for (const stage of ctx.dockerfile.stages) {
      const from: ImageRef = stage.from;
      if (!from.stage && !from.scratch && from.unresolved.length === 0) check(from, from.text, from.span, 'FROM');
      for (const instr of stage.instructions) {
        if (instr.keyword !== 'COPY' && instr.keyword !== 'RUN') continue;
        for (const f of instr.flags) {
          let value = f.name === 'from' && instr.keyword === 'COPY' ? f.value : undefined;
          if (f.name === 'mount' && f.value) value = /(?:^|,)from=([^,]+)/.exec(f.value)?.[1];
          if (!value || value.includes('$') || /^\d+$/.test(value) || stageNames.has(value.toLowerCase())) continue;
          // A bare name may be a named build context (--build-context): only references that look like images
          if (!/[:/@]/.test(value)) continue;
          check(parseImage(value), value, f.span, `${instr.keyword} --${f.name}`);
        }
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { name: 'no list configured', code: 'FROM quay.io/prometheus/node-exporter:v1.8.2\n' },
      { name: 'Docker Hub and an organisation', settings: { trustedRegistries: ['docker.io', 'ghcr.io/myorg/*'] }, code: 'FROM node:20 AS build\nFROM docker.io/library/alpine:3.20\nFROM ghcr.io/myorg/base:1\nCOPY --from=build /app /app\nCOPY --from=ghcr.io/myorg/tools:2 /bin/tool /bin/\n' },
      { name: 'an image built locally (Podman names it localhost/...)', settings: { trustedRegistries: ['docker.io'] }, code: 'FROM localhost/searxng/searxng:builder\n' },
      { name: 'cannot tell', settings: { trustedRegistries: ['docker.io'] }, code: 'ARG REGISTRY\nFROM ${REGISTRY}/app:1\nFROM scratch\n' },
    ],
    invalid: [
      {
        name: 'untrusted bases',
        settings: { trustedRegistries: ['docker.io', 'ghcr.io/myorg/*'] },
        code: 'FROM quay.io/keycloak/keycloak:25.0 AS kc\nFROM ghcr.io/other/app:1\nCOPY --from=gcr.io/distroless/base:nonroot /etc/passwd /etc/passwd\n',
        errors: [
          { line: 1, column: 6, message: /^FROM quay\.io\/keycloak\/keycloak:25\.0 comes from quay\.io, which is not in the trusted registries \(docker\.io, ghcr\.io\/myorg\/\*\)/ },
          { line: 2, column: 6, message: /comes from ghcr\.io/ },
          { line: 3, column: 6, message: /^COPY --from gcr\.io\/distroless\/base:nonroot comes from gcr\.io/ },
        ],
      },
      {
        name: 'Docker Hub not trusted',
        settings: { trustedRegistries: ['registry.internal:5000'] },
        code: 'FROM nginx:1.27\n',
        errors: [{ line: 1, column: 6, message: /^FROM nginx:1\.27 comes from docker\.io/ }],
      },
    ],
  },
};
