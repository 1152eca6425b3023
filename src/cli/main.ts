import { COLOR, PLAIN, wantsColor } from '../util/style.js';
import { run } from './run.js';

const argv = process.argv.slice(2);
const flag = argv.includes('--no-color') ? false : argv.includes('--color') ? true : undefined;
process.exitCode = await run(argv, {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  style: wantsColor(process.stdout, process.env, flag) ? COLOR : PLAIN,
  errStyle: wantsColor(process.stderr, process.env, flag) ? COLOR : PLAIN,
  cwd: process.cwd(),
  env: process.env,
});
