import type { Engine } from './engine.js';
import { RunError, stderrGist } from './errors.js';
import { inspectContainers, inspectOne, type Observed } from './observe.js';

export interface WaitOptions {
  /** Epoch milliseconds after which berth gives up whatever the healthcheck's own timings say. */
  deadline: number;
  /** Called after each check with the health status, for progress. */
  onCheck?: (status: string) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Waits until a container's healthcheck says healthy. Podman's periodic checks are systemd timers,
 * which do not exist without a systemd user session, so with Podman berth runs each check itself
 * (`podman healthcheck run`) at the healthcheck's interval; Podman still keeps the verdict (start
 * period, failing streak, retries). The wait ends at the first of: healthy; unhealthy (the check
 * failed `retries` times after the start period); the container exiting; start_period +
 * (retries + 1) × interval + timeout past its start; the overall deadline.
 */
export async function waitHealthy(engine: Engine, name: string, service: string, waiter: string, opts: WaitOptions): Promise<Observed> {
  const sleep = opts.sleep ?? defaultSleep;
  const now = opts.now ?? Date.now;
  let o = await mustInspect(engine, name, service);
  const hc = o.healthcheck;
  if (!hc) throw new RunError(`${waiter} waits for ${service} to be healthy, but ${service} has no healthcheck: add one to ${service}, or wait for service_started`);
  const started = o.startedAt ? Date.parse(o.startedAt) : now();
  const own = started + hc.startPeriodMs + (hc.retries + 1) * hc.intervalMs + hc.timeoutMs + 2000;
  const deadline = Math.min(own, opts.deadline);
  const step = Math.max(250, Math.min(hc.intervalMs, 30_000));
  for (;;) {
    const verdict = currentVerdict(o);
    if (verdict === 'healthy') return o;
    if (!o.running) throw await exited(engine, o, service, 'before turning healthy');
    if (verdict === 'unhealthy') throw unhealthy(o, service, `its health check failed ${hc.retries} times in a row`);
    if (now() >= deadline) throw unhealthy(o, service, deadline === opts.deadline && own > opts.deadline ? 'it was not healthy when the timeout ran out (--timeout)' : `it was not healthy within ${Math.round((deadline - started) / 1000)}s (start period, retries × interval)`);
    await sleep(Math.min(step, Math.max(0, deadline - now())));
    if (engine.kind === 'podman') await engine.run(['healthcheck', 'run', name]);
    o = await mustInspect(engine, name, service);
    opts.onCheck?.(o.health ?? 'unknown');
  }
}

/** The health verdict of the container's current run: one from before its last start (a restart) does not count. */
function currentVerdict(o: Observed): string | undefined {
  const last = o.healthLog.at(-1);
  if (o.startedAt && (!last || Date.parse(last.start) < Date.parse(o.startedAt))) return 'starting';
  return o.health;
}

/** Waits until a one-shot container exits; anything but exit code 0 is an error with its last output. */
export async function waitCompleted(engine: Engine, name: string, service: string, opts: WaitOptions): Promise<Observed> {
  const sleep = opts.sleep ?? defaultSleep;
  const now = opts.now ?? Date.now;
  for (;;) {
    const o = await mustInspect(engine, name, service);
    if (!o.running && o.state !== 'created' && o.state !== 'configured') {
      if (o.exitCode === 0) return o;
      throw await exited(engine, o, service, 'instead of completing successfully');
    }
    if (now() >= opts.deadline) throw new RunError(`service ${service} did not complete before the timeout ran out (--timeout); see berth logs for its output`);
    await sleep(250);
  }
}

/**
 * Watches a just-started container that has no healthcheck for `settleMs`: one that exits with an
 * error in that time, or that its restart policy already had to start again, has failed. One that
 * exits 0 did its job.
 */
export async function waitSettled(engine: Engine, name: string, service: string, opts: { settleMs: number; sleep?: (ms: number) => Promise<void> }): Promise<Observed> {
  await (opts.sleep ?? defaultSleep)(opts.settleMs);
  const o = await mustInspect(engine, name, service);
  if (o.restartCount > 0) throw await exited(engine, o, service, `and was restarted ${o.restartCount} time${o.restartCount === 1 ? '' : 's'} within ${opts.settleMs / 1000}s of its start`);
  if (o.running || o.exitCode === 0) return o;
  throw await exited(engine, o, service, 'right after it started');
}

async function mustInspect(engine: Engine, name: string, service: string): Promise<Observed> {
  const o = await inspectOne(engine, name);
  if (!o) throw new RunError(`service ${service}: its container ${name} disappeared while berth waited for it`);
  return o;
}

function unhealthy(o: Observed, service: string, why: string): RunError {
  const last = [...o.healthLog].reverse().find((l) => l.output !== '') ?? o.healthLog.at(-1);
  const output = last ? (last.output ? `last health output: ${JSON.stringify(oneLine(last.output))}` : `last check exited with ${last.exitCode} and printed nothing`) : 'no check ran';
  return new RunError(`service ${service} is not healthy: ${why}; ${output}`);
}

async function exited(engine: Engine, o: Observed, service: string, when: string): Promise<RunError> {
  const logs = await engine.run(['logs', '--tail', '5', o.name]);
  const gist = stderrGist(`${logs.stdout}\n${logs.stderr}`, 300);
  return new RunError(`service ${service} exited with code ${o.exitCode} ${when}${gist ? `; its last output: ${JSON.stringify(gist)}` : ''}`);
}

function oneLine(text: string): string {
  const t = text.replace(/\s*\n\s*/g, ' | ').trim();
  return t.length > 300 ? `${t.slice(0, 300)}…` : t;
}

/** Whether a running container's health verdict is older than two intervals (no timer ran its checks). */
function isStale(o: Observed, now: number): boolean {
  if (!o.running || !o.healthcheck) return false;
  const last = o.healthLog.at(-1);
  if (!last) return true;
  return now - Date.parse(last.end) > 2 * o.healthcheck.intervalMs;
}

/**
 * Podman runs no periodic checks without a systemd user session, so a verdict can be days old.
 * Each stale container is checked now (side by side). With `confirm`, a failing check is repeated
 * at the interval (at most 2 s apart, 15 s in all) until Podman's own count reaches the retries, so
 * one bad moment does not count as unhealthy and a stuck container does. Returns every container,
 * the checked ones read again.
 */
export async function refreshStaleHealth(engine: Engine, observed: readonly Observed[], opts: { now?: number; confirm?: boolean; sleep?: (ms: number) => Promise<void> } = {}): Promise<Observed[]> {
  if (engine.kind !== 'podman') return [...observed];
  const now = opts.now ?? Date.now();
  const sleep = opts.sleep ?? defaultSleep;
  const stale = observed.filter((o) => isStale(o, now));
  if (stale.length === 0) return [...observed];
  const fresh = await Promise.all(
    stale.map(async (o) => {
      await engine.run(['healthcheck', 'run', o.name]);
      let [c] = await inspectContainers(engine, [o.id]);
      const end = Date.now() + 15_000;
      while (opts.confirm && c?.running && c.health !== 'unhealthy' && c.failingStreak > 0 && c.healthcheck && Date.now() < end) {
        await sleep(Math.min(c.healthcheck.intervalMs, 2000));
        await engine.run(['healthcheck', 'run', o.name]);
        [c] = await inspectContainers(engine, [o.id]);
      }
      return c;
    }),
  );
  const byId = new Map(fresh.filter((c): c is Observed => c !== undefined).map((c) => [c.id, c]));
  return observed.flatMap((o) => (stale.includes(o) ? (byId.has(o.id) ? [byId.get(o.id)!] : []) : [o]));
}
