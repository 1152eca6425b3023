import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { isFile } from '../../util/fs.js';
import { join } from 'node:path';
import { fail, pass, warn, type CheckResult, type MachineFacts } from './check.js';

/** newuidmap and newgidmap are in the search path and setuid root: rootless Podman cannot map ids without them. */
export function idMappers(facts: MachineFacts): CheckResult[] {
  return ['newuidmap', 'newgidmap'].map((tool) => {
    const found = facts.searchPath.map((d) => join(d, tool)).find((p) => isFile(p));
    if (!found) return fail(tool, `${tool} is not installed or not in PATH`, 'apt-get install uidmap (Debian/Ubuntu), dnf install shadow-utils (Fedora); on NixOS add /run/wrappers/bin to the service PATH');
    const st = statSync(found);
    if (st.uid !== 0 || (st.mode & 0o4000) === 0) return fail(tool, `${found} is not setuid root, so it cannot write the id maps`, `chown root ${found} && chmod u+s ${found} (or reinstall uidmap)`);
    return pass(tool, `${found} is setuid root`);
  });
}

export interface SubidRange {
  owner: string;
  start: number;
  count: number;
}

/** The lines of /etc/subuid or /etc/subgid: `name-or-uid:start:count`. */
export function parseSubids(text: string): SubidRange[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .flatMap((l) => {
      const [owner, start, count] = l.split(':');
      return owner && /^\d+$/.test(start ?? '') && /^\d+$/.test(count ?? '') ? [{ owner, start: Number(start), count: Number(count) }] : [];
    });
}

/** The user's subordinate id ranges exist, hold at least 65536 ids (what images expect), and overlap nobody else's. */
export function subordinateIds(facts: MachineFacts): CheckResult[] {
  return (['subuid', 'subgid'] as const).map((kind) => {
    const file = kind === 'subuid' ? facts.subuidFile : facts.subgidFile;
    const flag = kind === 'subuid' ? '--add-subuids' : '--add-subgids';
    let ranges: SubidRange[];
    try {
      ranges = parseSubids(readFileSync(file, 'utf8'));
    } catch {
      ranges = [];
    }
    const mine = ranges.filter((r) => r.owner === facts.user || r.owner === String(facts.uid));
    const free = firstFree(ranges);
    const add = `usermod ${flag} ${free}-${free + 65535} ${facts.user}`;
    if (mine.length === 0) return fail(kind, `${file} has no range for ${facts.user}: rootless containers cannot map any uid but the user's own`, `${add} (then: podman system migrate)`);
    const total = mine.reduce((n, r) => n + r.count, 0);
    const others = ranges.filter((r) => !mine.includes(r));
    const clash = mine.flatMap((m) => others.filter((o) => m.start < o.start + o.count && o.start < m.start + m.count).map((o) => `${o.owner} (${o.start}:${o.count})`));
    if (clash.length) return fail(kind, `${facts.user}'s range in ${file} overlaps ${clash.join(', ')}: their containers could read each other's files`, `give ${facts.user} a range of its own: edit ${file}, e.g. ${facts.user}:${free}:65536, then podman system migrate`);
    if (total < 65536) return warn(kind, `${facts.user} has ${total} ids in ${file}; images with users above that uid fail to start`, `${add}`);
    return pass(kind, `${facts.user} has ${total} ids in ${file} (${mine.map((r) => `${r.start}:${r.count}`).join(', ')})`);
  });
}

/** The first start above every listed range, rounded to 65536, as useradd would pick. */
function firstFree(ranges: SubidRange[]): number {
  const end = Math.max(100000, ...ranges.map((r) => r.start + r.count));
  return Math.ceil(end / 65536) * 65536;
}

/** XDG_RUNTIME_DIR exists, is the user's, and only theirs: Podman keeps its state and socket there, berth its decrypted secrets. */
export function runtimeDir(facts: MachineFacts): CheckResult[] {
  const dir = facts.runtimeDir;
  let st;
  try {
    st = statSync(dir);
  } catch {
    return [fail('runtime dir', `${dir} does not exist: Podman has nowhere for its state and socket`, `loginctl enable-linger ${facts.user} (systemd creates it), or: install -d -m 0700 -o ${facts.user} ${dir}`)];
  }
  if (!st.isDirectory()) return [fail('runtime dir', `${dir} is not a directory`, `remove it and create it: install -d -m 0700 -o ${facts.user} ${dir}`)];
  if (st.uid !== facts.uid) return [fail('runtime dir', `${dir} is owned by uid ${st.uid}, not ${facts.user} (uid ${facts.uid}): Podman refuses it and secrets cannot be kept there`, `chown ${facts.user}: ${dir} && chmod 0700 ${dir}`)];
  if ((st.mode & 0o077) !== 0) return [warn('runtime dir', `${dir} is readable by others (mode ${(st.mode & 0o777).toString(8)}): decrypted secrets live there`, `chmod 0700 ${dir}`)];
  return [pass('runtime dir', `${dir} is ${facts.user}'s, mode 0700`)];
}

/** Lingering keeps the user's services running without a login, and after a reboot. */
export function linger(facts: MachineFacts): CheckResult[] {
  try {
    accessSync(join(facts.lingerDir, facts.user), constants.F_OK);
    return [pass('linger', `enabled for ${facts.user}`)];
  } catch {
    return [warn('linger', `not enabled for ${facts.user}: the stacks stop at logout and do not start at boot`, `loginctl enable-linger ${facts.user}`)];
  }
}

/** /dev/net/tun must be usable: slirp4netns and pasta publish rootless ports through it; VPN containers need it too. */
export function tunDevice(facts: MachineFacts): CheckResult[] {
  let st;
  try {
    st = statSync(facts.tunDevice);
  } catch {
    return [fail('tun', `${facts.tunDevice} does not exist: rootless containers cannot publish ports`, 'modprobe tun (and add tun to /etc/modules)')];
  }
  if (!st.isCharacterDevice()) return [fail('tun', `${facts.tunDevice} is not a character device`, 'remove it and modprobe tun')];
  const usable = st.uid === facts.uid ? (st.mode & 0o600) === 0o600 : (st.mode & 0o006) === 0o006 || ((facts.gids ?? []).includes(st.gid) && (st.mode & 0o060) === 0o060);
  if (!usable) return [fail('tun', `${facts.tunDevice} is not readable and writable by ${facts.user} (mode ${(st.mode & 0o777).toString(8)})`, `chmod 0666 ${facts.tunDevice}`)];
  return [pass('tun', `${facts.tunDevice} is usable`)];
}
