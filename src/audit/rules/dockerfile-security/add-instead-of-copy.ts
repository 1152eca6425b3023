import { fix, replaceSpan } from '../../fix-helpers.js';
import type { DockerfileRule } from '../../rule.js';
import { copySources, wordSpan } from './_shared.js';

/** Names ADD unpacks (it unpacks local tar archives, compressed or not; zip and jar it copies as they are). */
const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst|tar\.lz|gz|bz2|xz|zst|lz)$/i;
/** Flags COPY does not take. */
const ADD_ONLY_FLAGS = new Set(['checksum', 'keep-git-dir', 'unpack']);

type Kind = 'url' | 'git' | 'archive' | 'local' | 'unknown';

export function sourceKind(src: string): Kind {
  if (/^(https?|ftp):\/\//i.test(src)) return /\.git(#.*)?$/i.test(src) ? 'git' : 'url';
  if (/^(git@|git:\/\/|ssh:\/\/)/i.test(src)) return 'git';
  if (src.startsWith('<<')) return 'local'; // a heredoc: COPY takes them too
  if (src.includes('$')) return 'unknown'; // a build argument: cannot tell
  if (ARCHIVE.test(src)) return 'archive';
  const base = src.replace(/\/+$/, '').split('/').pop() ?? '';
  if (/[*?[]/.test(base) && !/\.[A-Za-z0-9]+$/.test(base)) return 'unknown'; // a glob that may match archives
  return 'local';
}

/** ADD where COPY does: local files and folders that are not archives; and ADD of URLs without a checksum. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'add-instead-of-copy',
    title: 'COPY is used for local files',
    category: 'security',
    severity: 'low',
    fixable: 'safe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of stage.instructions) {
        if (instr.keyword !== 'ADD') continue;
        const srcs = copySources(instr);
        if (srcs.length === 0) continue;
        looked = true;
        const kinds = srcs.map(sourceKind);
        const checksum = instr.flags.some((f) => f.name === 'checksum');
        srcs.forEach((src, i) => {
          if (kinds[i] !== 'url' || checksum) return;
          ctx.report({
            span: wordSpan(ctx, instr, src),
            message: `ADD downloads ${src} without a checksum: a changed or tampered file goes into the image unnoticed. Add --checksum=sha256:<digest>, or download it in a RUN and verify it`,
          });
        });
        if (!kinds.every((k) => k === 'local')) continue;
        const written = ctx.text.slice(instr.keywordSpan.offset, instr.keywordSpan.endOffset);
        const canFix = !instr.flags.some((f) => ADD_ONLY_FLAGS.has(f.name)) && /^add$/i.test(written);
        ctx.report({
          span: instr.keywordSpan,
          message: `ADD of local ${srcs.map((x) => `"${x}"`).join(', ')}: COPY does the same without ADD's implicit archive unpacking and URL fetching, so use COPY (hadolint DL3020)`,
          ...(canFix ? { fix: fix('Replace ADD with COPY', replaceSpan(instr.keywordSpan, written === 'add' ? 'copy' : 'COPY')) } : {}),
        });
      }
    }
    if (!looked) ctx.skip(); // no ADD: nothing to judge
  },
  cases: {
    valid: [
      { name: 'archives, variables and globs', code: 'FROM alpine:3.20\nADD rootfs.tar.xz /\nARG PKG\nADD ${PKG} /tmp/\nADD dist/* /srv/\n' },
      { name: 'a URL with a checksum and a git repository', code: 'FROM alpine:3.20\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/app.tgz /tmp/\nADD git@github.com:moby/buildkit.git#v0.14.1 /src\n' },
    ],
    invalid: [
      {
        name: 'local files and folders',
        code: 'FROM node:20\n# the application\nADD --chown=node:node . /app\nadd package.json /app/\nADD app.jar start.sh /opt/\n',
        errors: [
          { line: 3, column: 1, message: /^ADD of local ".": COPY does the same/ },
          { line: 4, column: 1, message: /^ADD of local "package\.json"/ },
          { line: 5, column: 1, message: /^ADD of local "app\.jar", "start\.sh"/ },
        ],
        output: 'FROM node:20\n# the application\nCOPY --chown=node:node . /app\ncopy package.json /app/\nCOPY app.jar start.sh /opt/\n',
      },
      {
        name: 'a download without a checksum',
        code: 'FROM debian:12\nADD https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini\n',
        errors: [{ line: 2, column: 5, message: /^ADD downloads https:\/\/github\.com\/.*\/tini without a checksum/ }],
      },
    ],
  },
};
