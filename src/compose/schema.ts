import { Ajv, type ValidateFunction } from 'ajv';
import composeSchema from '../../schemas/compose-spec.json' with { type: 'json' };

let compiled: ValidateFunction | undefined;

/** The compose-spec validator, compiled once per process on first use. */
export function composeValidator(): ValidateFunction {
  compiled ??= newAjv().compile(composeSchema);
  return compiled;
}

export function newAjv(): Ajv {
  // strict: false because the upstream compose schema uses annotations Ajv does not know ("deprecated");
  // validateSchema: false because it names the draft-07 meta-schema by an https URL Ajv does not bundle.
  // verbose: true gives each error its parentSchema, used for "did you mean" on unknown keys.
  return new Ajv({ allErrors: true, strict: false, verbose: true, allowUnionTypes: true, validateSchema: false });
}
