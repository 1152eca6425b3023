import type { SecretRef } from '../model/repo.js';

/**
 * What a declared secret variable interpolates to before anything is decrypted: validate and
 * audit see a value, render and up find the placeholder and put the real value in at start.
 */
function secretPlaceholder(secret: string, variable: string): string {
  return `<secret ${secret}.${variable}>`;
}

/** Every placeholder in a value: group 1 the secret, group 2 the variable. */
export const SECRET_PLACEHOLDER = /<secret ([a-z0-9][a-z0-9_.-]*)\.([A-Za-z_][A-Za-z0-9_]*)>/g;

export function hasSecretPlaceholder(value: string): boolean {
  return value.includes('<secret ') && new RegExp(SECRET_PLACEHOLDER.source).test(value);
}

/** The placeholders of a stack's declared secret variables, as interpolation variables. */
export function secretPlaceholders(secrets: readonly SecretRef[]): Record<string, string> {
  return Object.fromEntries(secrets.flatMap((s) => (s.vars ?? []).map((v) => [v, secretPlaceholder(s.name, v)])));
}

/** Whether a config value (at any depth) reads a secret. */
export function hasSecret(value: unknown): boolean {
  if (typeof value === 'string') return hasSecretPlaceholder(value);
  if (Array.isArray(value)) return value.some(hasSecret);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasSecret);
  return false;
}
