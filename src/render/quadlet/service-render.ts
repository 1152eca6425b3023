import type { ComposeProject, Service, ServiceConfig } from '../../model/compose.js';
import type { Artifact, Fidelity, FidelityNote } from '../artifact.js';
import type { StackRenderContext } from '../context.js';
import { quadletArg, quadletArgFits, type Entry } from '../unit-file.js';
import { podmanArgsValue, quadletWordLoss } from './command.js';
import { containerName } from '../../run/naming.js';
import { serviceUnit } from './names.js';

/** What the services of one stack need to know about each other and about the stack's networks and volumes. */
export interface StackPlan {
  ctx: StackRenderContext;
  project: ComposeProject;
  /** Network= value per compose network key: the stack's .network file, or an external network's name. */
  networkRefs: Map<string, string>;
  /** Volume source per compose volume key: the stack's .volume file, or an external volume's name. */
  volumeRefs: Map<string, string>;
  /** Services that another waits for as healthy: they report started only once healthy (Notify=healthy). */
  healthy: Set<string>;
  /** Services that another waits for to complete: they run as oneshot units. */
  completed: Set<string>;
  /** The stack's files as `berth up` reads them for a service's config hash (see identityInputs). */
  identityInputs: Record<string, string>;
}

/**
 * One service becoming one .container file: the entries of each section, in the order the key
 * rules add them, and a fidelity note for every compose key it uses.
 */
export class ServiceRender {
  readonly unit: Entry[] = [];
  readonly container: Entry[] = [];
  readonly service: Entry[] = [];
  /** Each inner list is one PodmanArgs= line: one option and its value. */
  readonly podmanArgs: string[][] = [];
  readonly artifacts: Artifact[] = [];
  readonly notes: FidelityNote[] = [];
  /** Keys whose value reads a secret outside `environment`: refused, so no rule sees them. */
  readonly blocked = new Set<string>();

  constructor(
    readonly plan: StackPlan,
    readonly svc: Service,
  ) {}

  get ctx(): StackRenderContext {
    return this.plan.ctx;
  }
  get name(): string {
    return this.svc.name;
  }
  get config(): ServiceConfig {
    return this.svc.config;
  }
  get stack(): string {
    return this.plan.ctx.stack.name;
  }

  /** Whether the service sets `key` (and it may be rendered). */
  has(key: string): boolean {
    return !this.blocked.has(key) && this.svc.node.entries.some((e) => e.key === key);
  }

  note(key: string, fidelity: Fidelity, message: string): void {
    this.notes.push({ stack: this.stack, service: this.name, key, fidelity, message });
  }

  /** Whether `key` (or one of its sub-keys) has a note already. */
  noted(key: string): boolean {
    return this.notes.some((n) => n.key === key || n.key.startsWith(`${key}.`));
  }

  /** A value Quadlet hands to podman unsplit; refused (and undefined) when a unit file cannot carry it. */
  arg(key: string, value: string): string | undefined {
    const problem = argProblem(value);
    if (problem === undefined) return quadletArg(value);
    this.note(key, 'refused', problem);
    return undefined;
  }

  /** Adds `Key=value` for a value Quadlet passes unsplit; false when it could not be written. */
  set(section: Entry[], quadletKey: string, composeKey: string, value: string): boolean {
    const v = this.arg(composeKey, value);
    if (v !== undefined) section.push([quadletKey, v]);
    return v !== undefined;
  }

  /** One podman option Quadlet has no key for, as a PodmanArgs= line. */
  podman(...words: string[]): void {
    this.podmanArgs.push(words);
  }

  /** The systemd unit of another service of the stack. */
  unitOf(service: string): string {
    return serviceUnit(this.stack, service);
  }

  /** The container name of another service of the stack (for container:NAME references). */
  containerOf(service: string): string | undefined {
    const other = this.plan.project.services[service];
    return other ? containerName(this.plan.project, service) : undefined;
  }

  podmanArgEntries(): Entry[] {
    return this.podmanArgs.map((words): Entry => ['PodmanArgs', podmanArgsValue(words)]);
  }
}

/**
 * Why a value Quadlet hands to podman unsplit (Image=, User=, HealthCmd=, ...) cannot reach it
 * unchanged, if it cannot. An empty value is not one of them: Quadlet leaves the option out, as
 * compose does with an empty string.
 */
export function argProblem(value: string): string | undefined {
  if (!quadletArgFits(value)) return `${JSON.stringify(value)} has a line break, a trailing backslash or blanks at an end, which a Quadlet value cannot carry`;
  const loss = value === '' ? undefined : quadletWordLoss(value);
  return loss === undefined ? undefined : `${JSON.stringify(value)}: ${loss}`;
}

/** The part of the service rules every topic module implements: the keys it owns and how it renders them. */
export interface KeyRule {
  keys: readonly string[];
  render(s: ServiceRender): void;
}
