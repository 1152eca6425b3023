import type { Stage } from '../../dockerfile/model.js';

/*
 * Dockerfile stages, shared by the rule groups (the "_" prefix keeps this file out of the rule
 * catalogue).
 */

/** The stage and the earlier stages of this file it is built FROM, nearest first. */
export function lineage(stage: Stage): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | undefined = stage; s && !out.includes(s); s = s.from.stage) out.push(s);
  return out;
}
