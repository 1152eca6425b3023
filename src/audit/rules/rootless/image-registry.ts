import { fix, replaceSpan, scalarContent } from '../../fix-helpers.js';
import { get } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';
import { isTrusted, registryOf, repositoryPath } from '../_images.js';

/** Short names Podman's shortnames.conf sends somewhere other than Docker Hub: qualifying them as docker.io would change the image. */
const NOT_DOCKER_HUB = /^(fedora(-[a-z]+)?|centos|ubi\d+(-[a-z]+)?|rhel\d*(-[a-z]+)?)$/;

/** The end of the part of a written reference that decides its registry: the first '/', else the tag or digest. */
function registryPartEnd(raw: string): number {
  const slash = raw.indexOf('/');
  if (slash >= 0) return slash;
  const m = /[:@]/.exec(raw);
  return m ? m.index : raw.length;
}

/** `image: postgres:16` makes Podman guess the registry (short-name aliases or an interactive prompt). */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'image-registry',
    title: 'Images name their registry',
    category: 'automation',
    severity: 'medium',
    fixable: 'safe',
    profiles: ['rootless-podman'],
  },
  service(ctx) {
    const { service } = ctx;
    const node = get(service.node, 'image');
    const image = service.config.image;
    // A built image's name is only the tag of the local build.
    if (typeof image !== 'string' || node?.kind !== 'scalar' || service.config.build !== undefined) return ctx.skip();
    const span = node.span;
    const local = span.file === ctx.file;
    const content = local ? scalarContent(ctx.text, span) : undefined;
    const raw = content ? ctx.text.slice(content.offset, content.end) : undefined;
    const varInRegistryPart = raw !== undefined ? raw.slice(0, registryPartEnd(raw)).includes('$') : (node.unresolved?.length ?? 0) > 0;
    if (varInRegistryPart && (node.unresolved?.length ?? 0) > 0) return ctx.skip();
    if (image.trim() === '') return ctx.skip();

    const registry = registryOf(image);
    const globs = ctx.settings.trustedRegistries;
    if (registry !== undefined) {
      if (registry === 'localhost' || globs.length === 0) return;
      if (isTrusted(globs, { registry, name: repositoryPath(image.slice(registry.length + 1)) })) return;
      ctx.report({
        span,
        message: `service "${service.name}" pulls "${image}" from ${registry}, which is not a trusted registry (${globs.join(', ')})`,
      });
      return;
    }

    const name = repositoryPath(image);
    const hubPath = name.includes('/') ? name : `library/${name}`;
    // The written reference when its registry part is literal; what a variable resolves to otherwise.
    const written = raw !== undefined && !varInRegistryPart ? raw : image;
    const qualified = `docker.io/${image.includes('/') ? '' : 'library/'}${written}`;
    const untrustedHub = globs.length > 0 && !isTrusted(globs, { registry: 'docker.io', name: hubPath });
    const why = `service "${service.name}" uses the short name "${written}": Podman resolves it through short-name aliases or asks interactively, and an unattended start or auto-update can fail or pull from another registry`;
    if (NOT_DOCKER_HUB.test(name)) {
      ctx.report({ span, message: `${why}; Podman's aliases do not send "${name}" to Docker Hub, so write the registry you mean` });
      return;
    }
    const canFix = content !== undefined && raw !== undefined && !varInRegistryPart && raw.startsWith(image.slice(0, registryPartEnd(image)));
    ctx.report({
      span,
      message: `${why}; write "${qualified}"${untrustedHub ? ` (and docker.io is not among the trusted registries: ${globs.join(', ')})` : ''}`,
      ...(canFix
        ? {
            fix: fix(
              `Write the Docker Hub name ${qualified}`,
              replaceSpan({ ...span, offset: content.offset, endOffset: content.end }, qualified),
            ),
          }
        : {}),
    });
  },
  cases: {
    valid: [
      { name: 'fully qualified', code: 'services:\n  db:\n    image: docker.io/library/postgres:16\n  app:\n    image: ghcr.io/immich-app/immich-server:v1.135.3\n  local:\n    image: localhost/mytool:1\n  reg:\n    image: registry.lan:5000/tools/x:1\n' },
      { name: 'built image: the name is the local tag', code: 'services:\n  app:\n    build: .\n    image: myapp:dev\n' },
      { name: 'registry from an unset variable: cannot tell', code: 'services:\n  app:\n    image: ${REGISTRY}/team/app:1\n' },
      { name: 'trusted registries', code: 'services:\n  a:\n    image: ghcr.io/me/app:1\n  b:\n    image: docker.io/library/redis:7\n', settings: { trustedRegistries: ['ghcr.io/me/*', 'docker.io'] } },
      { name: 'trusted registries read as trusted-registry reads them: prefixes, any case, Docker Hub aliases', code: 'services:\n  a:\n    image: ghcr.io/me/app:1\n  b:\n    image: docker.io/library/redis:7\n', settings: { trustedRegistries: ['GHCR.io/me', 'index.docker.io'] } },
    ],
    invalid: [
      {
        name: 'official and user images, quotes and comments kept',
        code: 'services:\n  db:\n    image: "postgres:16" # the database\n  media:\n    # media server\n    image: jellyfin/jellyfin:10.10.7\n',
        errors: [
          { line: 3, column: 12, message: /short name "postgres:16".*docker\.io\/library\/postgres:16/ },
          { line: 6, column: 12, message: /short name "jellyfin\/jellyfin:10\.10\.7"/ },
        ],
        output: 'services:\n  db:\n    image: "docker.io/library/postgres:16" # the database\n  media:\n    # media server\n    image: docker.io/jellyfin/jellyfin:10.10.7\n',
      },
      {
        name: 'unset tag variable: the registry part is still known; anchors',
        code: 'x-cache: &cache\n  image: redis:${REDIS_TAG}\nservices:\n  cache:\n    <<: *cache\n  other:\n    <<: *cache\n',
        errors: [
          { line: 2, column: 10, message: /short name/ },
          { line: 2, column: 10, message: /short name/ },
        ],
        output: 'x-cache: &cache\n  image: docker.io/library/redis:${REDIS_TAG}\nservices:\n  cache:\n    <<: *cache\n  other:\n    <<: *cache\n',
      },
      {
        name: 'untrusted registry (no fix), Red Hat short name (no fix)',
        code: 'services:\n  a:\n    image: quay.io/someone/app:1\n  b:\n    image: fedora:40\n',
        settings: { trustedRegistries: ['docker.io', 'ghcr.io/me/*'] },
        errors: [
          { line: 3, column: 12, message: /from quay\.io, which is not a trusted registry/ },
          { line: 5, column: 12, message: /do not send "fedora" to Docker Hub/ },
        ],
      },
    ],
  },
};
