// Builds the CLI bundle: one ESM entry plus lazily loaded chunks per command, so `berth --version`
// costs little more than Node's own start-up. The JSON Schema validators are compiled here, ahead of
// time, and swapped in for src/schemas/validators.ts, which would otherwise compile them at run time.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { build } from 'esbuild';
import { newAjv, SCHEMA_KEYS } from '../src/schemas/validators.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const gen = join(root, 'build');
mkdirSync(gen, { recursive: true });
rmSync(join(root, 'dist'), { recursive: true, force: true });

const ajv = newAjv({ code: { source: true, esm: true } });
writeFileSync(join(gen, 'validators.standalone.js'), standaloneCode.default(ajv, SCHEMA_KEYS));
writeFileSync(
  join(gen, 'validators.js'),
  `import * as compiled from './validators.standalone.js';\nexport function validator(name) { return compiled[name]; }\n`,
);

await build({
  entryPoints: [join(root, 'src/cli/main.ts')],
  outdir: join(root, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Smaller code parses faster at every start; the source map keeps stack traces readable.
  minify: true,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);" },
  plugins: [
    {
      name: 'precompiled-validators',
      setup(b) {
        b.onResolve({ filter: /schemas\/validators\.js$/ }, (args) =>
          args.importer.startsWith(join(root, 'src')) ? { path: join(gen, 'validators.js') } : undefined,
        );
      },
    },
  ],
});
