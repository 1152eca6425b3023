import { relative } from 'node:path';
import { artifact } from '../artifact.js';
import { rel } from '../layout.js';
import { renderedBy } from '../stack-common.js';
import { execWord, quadletArg, quadletArgFits, specifierSafe, unitFile, type Entry } from '../unit-file.js';
import { podmanArgsValue } from './command.js';
import { buildFile, builtImageName, qualifiedImage } from './names.js';
import type { ServiceRender } from './service-render.js';
import { asBool, asRecord, asString, asStrings, keyValues } from './values.js';

/**
 * `build:` as a .build unit, which Quadlet runs (podman build, cached layers make a rebuild
 * quick) before the container's unit starts, so a stack with local images starts on a fresh
 * host as `compose up --build` would. Returns the Image= value, or undefined when refused.
 */
export function renderBuild(s: ServiceRender): string | undefined {
  const b = s.config.build!;
  const context = b.context;
  const remote = /^[a-z]+:\/\//i.test(context) || context.startsWith('git@');
  const contextOnHost = remote ? context : s.ctx.common.hostPath(context);
  const tag = s.config.image !== undefined ? qualifiedImage(s.config.image) : builtImageName(s.plan.project.name, s.name);
  const entries: Entry[] = [];
  const values = [tag, contextOnHost];
  if (values.some((v) => !quadletArgFits(v))) {
    s.note('build', 'refused', 'the image tag or build context cannot be written in a unit file');
    return undefined;
  }
  entries.push(['ImageTag', quadletArg(tag)], ['SetWorkingDirectory', quadletArg(contextOnHost)]);
  for (const t of asStrings(b.tags)) if (quadletArgFits(t)) entries.push(['ImageTag', quadletArg(t)]);
  const inline = asString(b.dockerfile_inline);
  const dockerfile = asString(b.dockerfile);
  if (inline !== undefined) {
    const file = `${s.ctx.layout.shareDir}/builds/${s.stack}/${s.name}.Dockerfile`;
    s.artifacts.push(artifact(rel(file), inline));
    entries.push(['File', quadletArg(file)]);
  } else if (dockerfile !== undefined) {
    const file = dockerfile.startsWith('/') || remote ? dockerfile : `${contextOnHost}/${dockerfile}`;
    if (quadletArgFits(file)) entries.push(['File', quadletArg(file)]);
  }
  const target = asString(b.target);
  if (target !== undefined && quadletArgFits(target)) entries.push(['Target', quadletArg(target)]);
  for (const [k, v] of keyValues(b.labels)) entries.push(['Label', execWord(v === null ? k : `${k}=${v}`)]);
  const network = asString(b.network);
  if (network !== undefined && quadletArgFits(network)) entries.push(['Network', quadletArg(network)]);
  if (asBool(b.pull)) entries.push(['Pull', 'always']);
  const args: string[][] = [];
  for (const [k, v] of keyValues(b.args)) args.push(['--build-arg', v === null ? k : `${k}=${v}`]);
  if (asBool(b.no_cache)) args.push(['--no-cache']);
  for (const [host, ip] of keyValues(b.extra_hosts)) args.push([`--add-host=${ip === null ? host : `${host}:${ip}`}`]);
  const shm = asString(b.shm_size);
  if (shm !== undefined) args.push([`--shm-size=${shm}`]);
  const platforms = asStrings(b.platforms);
  if (platforms.length) args.push([`--platform=${platforms[0]}`]);
  for (const [name, path] of Object.entries(asRecord(b.additional_contexts) ?? {})) args.push([`--build-context=${name}=${s.ctx.common.hostPath(asString(path) ?? '')}`]);
  for (const words of args) entries.push(['PodmanArgs', podmanArgsValue(words)]);

  const file = buildFile(s.stack, s.name);
  const description = `${s.ctx.stack.manifest.description ?? s.stack}: image of ${s.name}`;
  s.artifacts.push(
    artifact(rel(`${s.ctx.layout.quadletDir}/${file}`), unitFile([{ name: 'Unit', entries: [['Description', specifierSafe(description)]] }, { name: 'Build', entries }], renderedBy(s.stack))),
  );

  const handled = new Set(['context', 'dockerfile', 'dockerfile_inline', 'target', 'labels', 'network', 'pull', 'args', 'no_cache', 'extra_hosts', 'shm_size', 'platforms', 'additional_contexts', 'tags']);
  const ignored = Object.keys(b).filter((k) => !handled.has(k));
  if (ignored.length) s.note('build', 'ignored', `${ignored.join(', ')}: no podman build equivalent in a .build unit`);
  if (platforms.length > 1) s.note('build', 'approximated', `platforms: only ${platforms[0]} is built (a host runs one)`);
  if (keyValues(b.args).some(([, v]) => v === null)) {
    s.note('build', 'approximated', 'a build arg without a value takes it from the environment of podman build, which a unit does not have');
  }
  const shipped = remote || contextOnHost !== context || !context.startsWith(`${s.ctx.repo.dir}/`);
  if (!shipped) s.note('build', 'approximated', `the context ${relative(s.ctx.repo.dir, context)} is outside the stack folder, which is all berth ships: it must exist at ${context} on the host`);
  s.note('build', 'mapped', `${file} (ImageTag=${tag}, context ${contextOnHost}); Image=${file}`);
  return file;
}
