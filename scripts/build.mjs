// Bundles the CLI into one ESM file so `berth --version` costs little more than Node's own start-up;
// heavy modules (yaml, ajv, the compose schema) load only when a command needs them (code splitting).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  minify: false,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);" },
});
