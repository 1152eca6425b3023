import type { Span } from '../diagnostics/span.js';
import type { LMap } from '../source/tree.js';

/**
 * The normalised compose model. Short and long syntaxes arrive here in one canonical shape,
 * relative paths are resolved against the file that wrote them, and every service keeps its
 * positioned source tree (`node`) so a consumer can point at any value with `spanAt`.
 */
export interface ComposeProject {
  name: string;
  /** The main compose file. */
  file: string;
  /** Every file that contributed (extends, include), main file first. */
  files: string[];
  services: Record<string, Service>;
  /** Services switched off because none of their profiles is active. */
  inactiveServices: string[];
  /** Every profile a service declares, active or not, sorted. */
  profiles: string[];
  networks: Record<string, TopLevel>;
  volumes: Record<string, TopLevel>;
  secrets: Record<string, TopLevel>;
  configs: Record<string, TopLevel>;
  /** Every variable the files read, with where it was first read. */
  variables: Map<string, Span>;
  /** Variables read without a value or default: values that depend on them are "cannot tell". */
  unresolved: Map<string, Span>;
  /** The canonical tree of the whole project. */
  root: LMap;
}

export interface TopLevel {
  name: string;
  span: Span;
  /** Canonical definition: external, driver, file, environment, name, ... */
  config: Record<string, unknown>;
}

export interface Service {
  name: string;
  span: Span;
  /** The canonical service definition, positions kept. */
  node: LMap;
  config: ServiceConfig;
}

export type Protocol = 'tcp' | 'udp' | 'sctp';

export interface PortMapping {
  target: number;
  /** Host port, or undefined for a random one. */
  published?: number;
  host_ip?: string;
  protocol: Protocol;
  mode?: string;
  name?: string;
  app_protocol?: string;
}

export type MountType = 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';

export interface VolumeMount {
  type: MountType;
  /** Absolute host path for binds; volume name for named volumes; absent for anonymous volumes. */
  source?: string;
  target: string;
  read_only?: boolean;
  bind?: { propagation?: string; create_host_path?: boolean; selinux?: 'z' | 'Z' };
  volume?: { nocopy?: boolean; subpath?: string };
  tmpfs?: { size?: number | string; mode?: number };
  consistency?: string;
  /** Engine-specific mount options beyond compose's own, such as Podman's U (chown to the container user) and O (overlay). */
  options?: string[];
}

export interface Dependency {
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  required: boolean;
  restart: boolean;
}

export interface Healthcheck {
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
}

export interface ServiceFileRef {
  source: string;
  target?: string;
  uid?: string;
  gid?: string;
  mode?: number | string;
}

export interface EnvFile {
  path: string;
  required: boolean;
  format?: string;
}

/** Canonical shapes for the keys that have several syntaxes; the rest pass through as the spec defines them. */
export interface ServiceConfig {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string; args?: Record<string, string | null>; [k: string]: unknown };
  command?: string | string[];
  entrypoint?: string | string[];
  environment: Record<string, string | null>;
  env_file: EnvFile[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ports: PortMapping[];
  expose: string[];
  volumes: VolumeMount[];
  depends_on: Record<string, Dependency>;
  healthcheck?: Healthcheck;
  secrets: ServiceFileRef[];
  configs: ServiceFileRef[];
  networks: Record<string, { aliases?: string[]; ipv4_address?: string; ipv6_address?: string; priority?: number; [k: string]: unknown }>;
  network_mode?: string;
  ulimits: Record<string, { soft: number; hard: number }>;
  sysctls: Record<string, string>;
  extra_hosts: Record<string, string>;
  dns: string[];
  dns_search: string[];
  tmpfs: string[];
  profiles: string[];
  container_name?: string;
  restart?: string;
  [key: string]: unknown;
}

