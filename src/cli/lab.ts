/**
 * `npm run lab -- --preset NAME | --config FILE | --url 'HASH' [--iterations N] [--seed S]
 *                 [--seeds K] [--backend wasm|cpu] [--out FILE] [--csv FILE] [--quiet]`
 *
 * The command-line entry of the headless lab; what it does is src/cli/labRunner.ts.
 * Exit 0 when done, 2 when refused before anything ran, 1 when a run failed.
 */
import { runLab } from './labRunner';

runLab(process.argv.slice(2)).then(
  (result) => process.exit(result.code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
