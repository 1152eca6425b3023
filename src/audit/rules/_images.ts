/*
 * Image references as compose files and Dockerfiles write them, shared by the rule groups (the "_"
 * prefix keeps this file out of the rule catalogue).
 */

/** The registry of a reference, when its first component names one (Docker's rule: a '.' or ':' in it, or "localhost"). */
export function registryOf(name: string): string | undefined {
  const slash = name.indexOf('/');
  if (slash < 0) return undefined;
  const first = name.slice(0, slash);
  return first === 'localhost' || first.includes('.') || first.includes(':') ? first : undefined;
}

/** A reference without its tag and digest: `ghcr.io/org/app:1.2@sha256:...` → `ghcr.io/org/app`. */
export function repositoryPath(name: string): string {
  return name.replace(/@.*$/, '').replace(/:[^/]*$/, '');
}

export interface ImageParts {
  registry?: string;
  /** Repository path without the registry. */
  name: string;
  tag?: string;
  digest?: string;
}

/** Splits `registry:5000/org/app:1.2@sha256:...` into its parts, as the distribution reference grammar does. */
export function parseImage(ref: string): ImageParts {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const registry = registryOf(rest);
  if (registry !== undefined) rest = rest.slice(registry.length + 1);
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { ...(registry ? { registry } : {}), name: rest, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** An image reference without registry, tag and digest, lower case: `path` is `bitnami/postgresql`, `name` is `postgresql`. */
export function imageName(image: string | undefined): { path: string; name: string } | undefined {
  if (!image) return undefined;
  const parts = parseImage(image.toLowerCase()).name.split('/');
  const name = parts.pop()!.split(':')[0]!;
  if (!name) return undefined;
  if (parts[0] === 'library') parts.shift();
  return { path: [...parts, name].join('/'), name };
}

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** `*` matches any run of characters (slashes included), `?` one character; case-insensitive. */
function globMatch(glob: string, value: string): boolean {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(value);
}

/** The registry and the full `registry/repository` of an image, Docker Hub spelled out (`node` is docker.io/library/node). */
export function qualified(ref: { registry?: string; name: string }): { registry: string; path: string } {
  const registry = ref.registry && !DOCKER_HUB.has(ref.registry.toLowerCase()) ? ref.registry.toLowerCase() : 'docker.io';
  const name = registry === 'docker.io' && !ref.name.includes('/') ? `library/${ref.name}` : ref.name;
  return { registry, path: `${registry}/${name}` };
}

/**
 * Whether an image comes from a trusted registry (the `trustedRegistries` setting): a glob without a
 * slash names registries ("docker.io", "*.example.org"), one with a slash names repositories or their
 * prefixes ("ghcr.io/me" and "ghcr.io/me/*" both trust ghcr.io/me/app). Docker Hub's aliases count as
 * docker.io. The one reading of the setting for every rule that uses it.
 */
export function isTrusted(globs: readonly string[], ref: { registry?: string; name: string }): boolean {
  const { registry, path } = qualified(ref);
  return globs.some((g) => {
    const glob = g.trim().replace(/\/+$/, '');
    if (!glob.includes('/')) return globMatch(DOCKER_HUB.has(glob.toLowerCase()) ? 'docker.io' : glob, registry);
    const [first, ...rest] = glob.split('/');
    const norm = `${DOCKER_HUB.has(first!.toLowerCase()) ? 'docker.io' : first}/${rest.join('/')}`;
    return globMatch(norm, path) || globMatch(`${norm}/*`, path);
  });
}
