import type { ProjectRule } from '../../rule.js';

/**
 * Suppressions that silence nothing, or name a rule that does not exist. The engine applies the
 * suppressions, so it also finds these (only while this rule is enabled); the rule is here for its
 * metadata, its configuration (`unused-ignore: off`) and its cases.
 */
export const rule: ProjectRule = {
  target: 'project',
  meta: {
    id: 'unused-ignore',
    title: 'Suppressions silence real findings',
    category: 'documentation',
    severity: 'low',
    fixable: 'safe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    ctx.skip();
  },
  cases: {
    valid: [
      { files: { 'compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    restart: always # berth-ignore  is not a suppression without a rule\n' } },
      { name: 'text in a quoted value is not a comment', files: { 'compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    command: "echo # berth-ignore no-privileged -- x"\n' } },
    ],
    invalid: [
      {
        name: 'a stale suppression is removed by --fix, comments around it kept',
        withRules: ['no-privileged', 'obsolete-version'],
        files: { 'compose.yml': '# the web server\nservices:\n  web:\n    image: docker.io/library/nginx:1.27 # berth-ignore no-privileged -- was privileged once\n    # berth-ignore-file obsolete-version -- old tooling\n    restart: always\n' },
        errors: [
          { file: 'compose.yml', line: 4, column: 41, message: /silences nothing: no no-privileged finding on this line or the next/ },
          { file: 'compose.yml', line: 5, column: 5, message: /silences nothing: no obsolete-version finding in this file/ },
        ],
        output: '# the web server\nservices:\n  web:\n    image: docker.io/library/nginx:1.27\n    restart: always\n',
      },
      {
        name: 'a misspelt rule is reported with a suggestion, not removed',
        files: { 'Dockerfile': '# berth-ignore base-image-tagg -- pinned by digest in CI\nFROM debian\n' },
        errors: [{ file: 'Dockerfile', line: 1, column: 1, message: /names "base-image-tagg", which is not a rule \(did you mean "base-image-tag"\?\)/ }],
      },
    ],
  },
};
