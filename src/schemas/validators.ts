import { Ajv, type ValidateFunction } from 'ajv';
import composeSchema from '../../schemas/compose-spec.json' with { type: 'json' };
import berthSchema from '../../schemas/berth.schema.json' with { type: 'json' };
import hostsSchema from '../../schemas/hosts.schema.json' with { type: 'json' };
import stackSchema from '../../schemas/stack.schema.json' with { type: 'json' };
import auditSchema from '../../schemas/audit.schema.json' with { type: 'json' };

/**
 * The JSON Schema validators: the compose specification and berth's own three files.
 * From source they are compiled on first use (about 200 ms for the compose schema); the bundled
 * CLI replaces this module with the same validators compiled ahead of time by scripts/build.ts,
 * so a command pays nothing for them.
 */
export interface Validators {
  compose: ValidateFunction;
  berth: ValidateFunction;
  hosts: ValidateFunction;
  stack: ValidateFunction;
  audit: ValidateFunction;
}

export const SCHEMA_KEYS = { compose: 'compose', berth: 'berth.schema.json', hosts: 'hosts.schema.json', stack: 'stack.schema.json', audit: 'audit.schema.json' } as const;

export function newAjv(extra: ConstructorParameters<typeof Ajv>[0] = {}): Ajv {
  // strict: false because the upstream compose schema uses annotations Ajv does not know ("deprecated");
  // validateSchema: false because it names the draft-07 meta-schema by an https URL Ajv does not bundle;
  // verbose: true gives each error its parentSchema, used for "did you mean" on unknown keys.
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, allowUnionTypes: true, validateSchema: false, ...extra });
  ajv.addSchema(composeSchema, SCHEMA_KEYS.compose);
  ajv.addSchema(auditSchema, SCHEMA_KEYS.audit);
  ajv.addSchema(berthSchema, SCHEMA_KEYS.berth);
  ajv.addSchema(hostsSchema, SCHEMA_KEYS.hosts);
  ajv.addSchema(stackSchema, SCHEMA_KEYS.stack);
  return ajv;
}

let ajv: Ajv | undefined;
const cache: Partial<Validators> = {};

export function validator(name: keyof Validators): ValidateFunction {
  ajv ??= newAjv();
  return (cache[name] ??= ajv.getSchema(SCHEMA_KEYS[name])!);
}
