import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Repo } from '../../model/repo.js';
import { didYouMean } from '../../util/suggest.js';
import { unsafeStackReference } from './stack-names.js';

/** Hosts and `after:` entries must name stacks that exist (the folder is the registry). */
export function unknownStacks(repo: Repo): Diagnostic[] {
  const out: Diagnostic[] = [];
  const names = Object.keys(repo.stacks);
  const hint = (name: string) => didYouMean(name, names) ?? (names.length ? `stacks are the folders under stacks/: ${names.join(', ')}` : 'create stacks/' + name + '/compose.yml');
  const check = (name: string, span: Repo['hosts'][number]['span'], where: string) => {
    const unsafe = unsafeStackReference(name);
    if (unsafe) {
      out.push(error('STACK_NAME_INVALID', span, `${where} names "${name}", which ${unsafe}`, 'name a folder directly under stacks/'));
    } else if (!repo.stacks[name] && !repo.broken.includes(name)) {
      out.push(error('UNKNOWN_STACK', span, `${where} names stack "${name}", which does not exist`, hint(name)));
    }
  };
  for (const host of repo.hosts) for (const s of host.stacks) check(s.name, s.span, `host "${host.name}"`);
  for (const stack of Object.values(repo.stacks)) {
    for (const a of stack.manifest.after) {
      if (a.name.includes('.')) continue; // a systemd unit such as network-online.target
      check(a.name, a.span, `"after" of stack "${stack.name}"`);
    }
  }
  return out;
}
