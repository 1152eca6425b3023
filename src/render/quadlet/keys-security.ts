import { quadletListWord } from '../unit-file.js';
import { quadletWordLoss } from './command.js';
import { gpuDevices } from './keys-limits.js';
import type { KeyRule, ServiceRender } from './service-render.js';
import { asBool, asList, asRecord, asString, asStrings, keyValues } from './values.js';

const capabilities: KeyRule = {
  keys: ['cap_add', 'cap_drop', 'privileged'],
  render(s) {
    for (const [key, quadletKey, flag] of [['cap_add', 'AddCapability', '--cap-add'], ['cap_drop', 'DropCapability', '--cap-drop']] as const) {
      if (!s.has(key)) continue;
      const caps = asStrings(s.config[key]);
      for (const cap of caps) listWord(s, quadletKey, flag, cap);
      s.note(key, 'mapped', `${quadletKey}=${caps.join(' ')}`);
    }
    if (s.has('privileged')) {
      const on = asBool(s.config.privileged) ?? false;
      if (on) {
        s.podman('--privileged');
        s.note('privileged', 'approximated', "PodmanArgs=--privileged: rootless, it grants every capability and device of the user's own namespace, never the host's root");
      } else s.note('privileged', 'mapped', 'false: nothing to add');
    }
  },
};

/**
 * A value of a Quadlet list key, or a PodmanArgs= option when the key cannot carry it (quotes,
 * backslashes; or a lone ";", which Quadlet would write bare: PodmanArgs= writes --flag=;).
 */
function listWord(s: ServiceRender, quadletKey: string, flag: string, value: string): void {
  const word = quadletWordLoss(value) === undefined ? quadletListWord(value) : undefined;
  if (word !== undefined) s.container.push([quadletKey, word]);
  else s.podman(flag, value);
}

const securityOpt: KeyRule = {
  keys: ['security_opt'],
  render(s) {
    if (!s.has('security_opt')) return;
    const done: string[] = [];
    for (const raw of asStrings(s.config.security_opt)) {
      // Compose accepts both `key=value` and the older `key:value`.
      const m = /^([a-z-]+)(?:[=:](.*))?$/.exec(raw.trim());
      const [key, value] = m ? [m[1]!, m[2]] : [raw, undefined];
      if (key === 'no-new-privileges') {
        const on = value === undefined || asBool(value) === true;
        if (on) s.container.push(['NoNewPrivileges', true]);
        done.push(on ? 'NoNewPrivileges=yes' : 'no-new-privileges false (the default)');
      } else if (key === 'label' && value !== undefined) {
        const [what, arg] = value.includes(':') ? [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)] : [value, undefined];
        const quadletKey = LABEL_KEYS[what];
        if (what === 'disable' || what === 'nested') {
          s.container.push([what === 'disable' ? 'SecurityLabelDisable' : 'SecurityLabelNested', true]);
          done.push(`${what === 'disable' ? 'SecurityLabelDisable' : 'SecurityLabelNested'}=yes`);
        } else if (quadletKey && arg !== undefined && s.set(s.container, quadletKey, 'security_opt', arg)) done.push(`${quadletKey}=${arg}`);
        else {
          s.podman('--security-opt', `label=${value}`);
          done.push(`PodmanArgs=--security-opt label=${value}`);
        }
      } else if (key === 'seccomp' && value !== undefined) {
        if (s.set(s.container, 'SeccompProfile', 'security_opt', value === 'unconfined' ? value : s.ctx.common.hostPath(value))) done.push(`SeccompProfile=${value}`);
      } else if (key === 'systempaths' && value === 'unconfined') {
        s.container.push(['Unmask', 'ALL']);
        done.push('Unmask=ALL');
      } else {
        s.podman('--security-opt', raw);
        done.push(`PodmanArgs=--security-opt ${raw}`);
      }
    }
    s.note('security_opt', 'mapped', done.join(', '));
  },
};

const LABEL_KEYS: Record<string, string> = { type: 'SecurityLabelType', level: 'SecurityLabelLevel', filetype: 'SecurityLabelFileType' };

const devices: KeyRule = {
  keys: ['devices', 'device_cgroup_rules', 'gpus'],
  render(s) {
    if (s.has('devices')) {
      const done: string[] = [];
      for (const d of asList(s.config.devices)) {
        const r = asRecord(d);
        const spec = r ? [asString(r.source), asString(r.target), asString(r.permissions)].filter((x) => x !== undefined && x !== '').join(':') : asString(d);
        if (!spec) continue;
        listWord(s, 'AddDevice', '--device', spec);
        done.push(spec);
      }
      s.note('devices', 'mapped', `AddDevice=${done.join(' ')} (rootless: only devices the user may open)`);
    }
    if (s.has('device_cgroup_rules')) {
      for (const rule of asStrings(s.config.device_cgroup_rules)) s.podman(`--device-cgroup-rule=${rule}`);
      s.note('device_cgroup_rules', 'approximated', 'PodmanArgs=--device-cgroup-rule: rootless Podman cannot grant devices beyond what the user may open');
    }
    if (s.has('gpus')) {
      const g = s.config.gpus;
      gpuDevices(s, 'gpus', g === 'all' ? [{ capabilities: ['gpu'] }] : asList(g));
    }
  },
};

/** Namespaces a container may share: compose's `service:X` is the container of service X. */
const namespaces: KeyRule = {
  keys: ['pid', 'ipc', 'uts', 'userns_mode', 'cgroup', 'cgroup_parent'],
  render(s) {
    for (const key of ['pid', 'ipc', 'uts'] as const) {
      const mode = asString(s.config[key]);
      if (!s.has(key) || mode === undefined) continue;
      let value = mode;
      if (mode.startsWith('service:')) {
        const other = mode.slice(8);
        const name = s.containerOf(other);
        if (name === undefined) {
          s.note(key, 'refused', `service ${other} is not part of the project on ${s.ctx.host.name}`);
          continue;
        }
        value = `container:${name}`;
        s.unit.push(['Requires', s.unitOf(other)], ['After', s.unitOf(other)]);
      }
      s.podman(`--${key}=${value}`);
      s.note(key, mode === 'host' ? 'approximated' : 'mapped', `PodmanArgs=--${key}=${value}${mode === 'host' ? ": rootless, the host's namespace is still seen through the user's own permissions" : ''}`);
    }
    const userns = asString(s.config.userns_mode);
    if (s.has('userns_mode') && userns !== undefined && s.set(s.container, 'UserNS', 'userns_mode', userns)) s.note('userns_mode', 'mapped', `UserNS=${userns}`);
    const cgroup = asString(s.config.cgroup);
    if (s.has('cgroup') && cgroup !== undefined) {
      s.podman(`--cgroupns=${cgroup}`);
      s.note('cgroup', 'mapped', `PodmanArgs=--cgroupns=${cgroup}`);
    }
    if (s.has('cgroup_parent')) {
      s.note('cgroup_parent', 'refused', 'Quadlet runs the container in its own unit\'s cgroup (--cgroups=split); set Slice= in a drop-in ([Service] of the unit) instead');
    }
  },
};

const runtime: KeyRule = {
  keys: ['runtime', 'storage_opt', 'isolation', 'credential_spec'],
  render(s) {
    const rt = asString(s.config.runtime);
    if (s.has('runtime') && rt !== undefined) {
      s.podman(`--runtime=${rt}`);
      s.note('runtime', 'mapped', `PodmanArgs=--runtime=${rt}`);
    }
    if (s.has('storage_opt')) {
      for (const [k, v] of keyValues(s.config.storage_opt)) s.podman(`--storage-opt=${v === null ? k : `${k}=${v}`}`);
      s.note('storage_opt', 'approximated', 'PodmanArgs=--storage-opt: rootless overlay storage has no size quota');
    }
    for (const key of ['isolation', 'credential_spec']) if (s.has(key)) s.note(key, 'ignored', `${key} applies to Windows containers only`);
  },
};

export const SECURITY_RULES: KeyRule[] = [capabilities, securityOpt, devices, namespaces, runtime];
