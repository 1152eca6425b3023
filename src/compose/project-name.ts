/**
 * Compose project names: lower-case letters, digits, dashes and underscores, starting with a letter
 * or digit. berth uses the stack folder name as the project name, so it must already be one.
 */
const VALID = /^[a-z0-9][a-z0-9_-]*$/;

export function normaliseProjectName(raw: string): { name: string; valid: boolean } {
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
  return { name, valid: VALID.test(raw) };
}
