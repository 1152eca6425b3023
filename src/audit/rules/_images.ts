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
