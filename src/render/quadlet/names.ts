
/**
 * Names of a stack's Quadlet files and of what Podman creates from them. Files are prefixed with
 * the stack (`immich-database.container` → unit `immich-database.service`) so stacks on one host
 * never share a file; containers, networks and volumes keep the names compose gives them, so
 * `podman ps` looks the same as under compose and `berth status` finds them.
 */
function unitBase(stack: string, service: string): string {
  return `${stack}-${service}`;
}

export function containerFile(stack: string, service: string): string {
  return `${unitBase(stack, service)}.container`;
}

export function serviceUnit(stack: string, service: string): string {
  return `${unitBase(stack, service)}.service`;
}

export function buildFile(stack: string, service: string): string {
  return `${unitBase(stack, service)}.build`;
}

export function networkFile(stack: string, network: string): string {
  return `${stack}-${network}.network`;
}

export function volumeFile(stack: string, volume: string): string {
  return `${stack}-${volume}.volume`;
}

/** The image compose builds for a service without `image:`. */
export function builtImageName(project: string, service: string): string {
  return `localhost/${project}-${service}:latest`;
}

/**
 * An image reference as Docker resolves it: a name without a registry is on Docker Hub. Podman
 * would instead try its unqualified-search registries (or refuse, without a terminal to ask),
 * and `podman auto-update` needs a fully qualified name.
 */
export function qualifiedImage(image: string): string {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) return image;
  return slash < 0 ? `docker.io/library/${image}` : `docker.io/${image}`;
}
