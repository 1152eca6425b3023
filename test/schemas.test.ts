import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { ROOT } from './helpers.js';

const SCHEMAS = ['audit.schema.json', 'berth.schema.json', 'hosts.schema.json', 'stack.schema.json'];

test('berth\'s JSON Schemas are valid draft-07 schemas that editors can load', () => {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true });
  for (const name of SCHEMAS) {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', name), 'utf8')) as { $schema: string; title: string };
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.ok(ajv.validateSchema(schema), `${name}: ${ajv.errorsText(ajv.errors)}`);
    ajv.addSchema(schema, name);
  }
  // strict mode compiles every keyword and every $ref between the files.
  for (const name of SCHEMAS) assert.ok(ajv.getSchema(name));
});

test('the example files point editors at the schemas', () => {
  const first = (f: string) => readFileSync(join(ROOT, 'examples', 'homelab', f), 'utf8').split('\n')[0];
  assert.equal(first('berth.yml'), '# yaml-language-server: $schema=../../schemas/berth.schema.json');
  assert.equal(first('hosts.yml'), '# yaml-language-server: $schema=../../schemas/hosts.schema.json');
  assert.equal(first('stacks/immich/stack.yml'), '# yaml-language-server: $schema=../../../../schemas/stack.schema.json');
});
