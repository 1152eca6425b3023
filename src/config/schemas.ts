import type { ValidateFunction } from 'ajv';
import berthSchema from '../../schemas/berth.schema.json' with { type: 'json' };
import hostsSchema from '../../schemas/hosts.schema.json' with { type: 'json' };
import stackSchema from '../../schemas/stack.schema.json' with { type: 'json' };
import { newAjv } from '../compose/schema.js';

export interface BerthValidators {
  berth: ValidateFunction;
  hosts: ValidateFunction;
  stack: ValidateFunction;
}

let compiled: BerthValidators | undefined;

/** Validators for berth's own files, from the same JSON Schemas editors use. Compiled once. */
export function berthValidators(): BerthValidators {
  if (!compiled) {
    const ajv = newAjv();
    ajv.addSchema(berthSchema, 'berth.schema.json');
    compiled = {
      berth: ajv.getSchema('berth.schema.json')!,
      hosts: ajv.compile(hostsSchema),
      stack: ajv.compile(stackSchema),
    };
  }
  return compiled;
}
