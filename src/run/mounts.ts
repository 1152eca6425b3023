import { readFileSync } from 'node:fs';

/** Mount points listed in a /proc/self/mountinfo text (octal escapes such as \040 decoded). */
function mountPoints(mountinfo: string): Set<string> {
  const points = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    const field = line.split(' ')[4];
    if (field) points.add(field.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return points;
}

/** Required mounts (stack.yml mounts.required) that are not mount points on this machine. */
export function missingMounts(required: readonly string[], mountinfoFile = '/proc/self/mountinfo'): string[] {
  let text: string;
  try {
    text = readFileSync(mountinfoFile, 'utf8');
  } catch {
    return [];
  }
  const points = mountPoints(text);
  return required.filter((p) => !points.has(p.replace(/\/+$/, '') || '/'));
}
