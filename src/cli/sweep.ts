/** The command-line entry of `npm run sweep`; what it does is src/cli/sweepRunner.ts. */
import { sweep } from './sweepRunner';

sweep(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
