import type { Span } from '../diagnostics/span.js';
import type { ComposeProject } from './compose.js';

export type Engine = 'podman' | 'docker';
export type Mode = 'quadlet' | 'compose';

/** Compose mode's unit: what stopping a stack runs, and how long starting may take (seconds). */
export interface ComposeSettings {
  stop: 'stop' | 'down';
  startTimeout: number;
}

/** A subordinate uid/gid range (/etc/subuid, /etc/subgid). */
export interface SubIdRange {
  start: number;
  count: number;
}

export interface ProxyConfig {
  /** The stack that runs the reverse proxy, when there is one. */
  stack?: string;
  /** ACME account email. */
  email?: string;
  /** How the proxy reaches its own host's 127.0.0.1. */
  loopback: string;
}

/** berth.yml with defaults applied. */
export interface BerthConfig {
  engine: Engine;
  mode: Mode;
  user: string;
  uid?: number;
  roots: Record<string, string>;
  networkRoots: string[];
  autoUpdate: { enabled: boolean; schedule: string };
  prune: { enabled: boolean; schedule: string; maxAge: string };
  secrets: { recipients: string[]; identity?: string };
  audit: Record<string, unknown>;
  compose: ComposeSettings;
  subuids: SubIdRange;
  proxy: ProxyConfig;
}

export interface Host {
  name: string;
  span: Span;
  address: string;
  stacks: { name: string; span: Span }[];
  /** berth.yml roots overlaid with this host's. */
  roots: Record<string, string>;
  user: string;
  uid?: number;
  engine: Engine;
  mode: Mode;
  profiles: string[];
  /** berth.yml's compose settings overlaid with this host's. */
  compose: ComposeSettings;
  subuids: SubIdRange;
}

export interface SecretRef {
  name: string;
  /** Variables the decrypted file defines, when the manifest lists them. */
  vars?: string[];
  file: string;
  span: Span;
}

export interface DirSpec {
  path: string;
  owner: string;
  mode?: string;
}

export interface ProxyEntry {
  host: string;
  port: number;
  service?: string;
  path?: string;
  websocket: boolean;
  /** Clients from private address ranges only. */
  lanOnly: boolean;
  span: Span;
}

export interface Monitor {
  name: string;
  url: string;
  accept: string[];
  interval?: string;
}

/** stack.yml with defaults applied; a stack folder without one gets all defaults. */
export interface StackManifest {
  description?: string;
  secrets: SecretRef[];
  mounts: { required: string[]; optional: string[] };
  dirs: DirSpec[];
  /** Command lines run before start (no shell): an absolute program or ./script in the stack folder. */
  preStart: string[];
  firewall: { tcp: number[]; udp: number[] };
  after: { name: string; span: Span }[];
  profiles: string[];
  proxy: ProxyEntry[];
  monitors: Monitor[];
}

export interface Stack {
  name: string;
  dir: string;
  composeFile: string;
  /** stack.yml, when the folder has one. */
  manifestFile?: string;
  manifest: StackManifest;
  /** Where to point at the stack as a whole: its compose file's first line. */
  span: Span;
}

/** A stack as one host runs it: its compose project loaded with that host's roots and profiles. */
export interface Deployment {
  host: string;
  stack: string;
  project: ComposeProject;
}

export interface Repo {
  dir: string;
  config: BerthConfig;
  hosts: Host[];
  stacks: Record<string, Stack>;
  deployments: Deployment[];
  /** Stack folders that could not be read (no compose file, say): already reported. */
  broken: string[];
}
