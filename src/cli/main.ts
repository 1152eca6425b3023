import { COLOR, PLAIN, wantsColor } from '../util/style.js';
import { run } from './run.js';

// `berth stacks | head -1`: a closed pipe ends the output, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

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
