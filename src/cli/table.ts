/**
 * `npm run table -- NAME=FILE ...`: prints the objectives table (objectivesTable.ts) from lab
 * outputs; the first file is the baseline of the ratios. Exit 2 on a file that does not parse.
 * `npm run table -- --dir DIR [--baseline CONFIG]`: the same from a sweep's directory
 * (sweepRunner.ts), one row per config folder, its seeds' files merged; the baseline is the
 * config named, else the first in name order.
 * `npm run table -- --dir DIR --versus KEY=VALUE`: each config is compared with the one that
 * differs only in having KEY=VALUE (`--versus obj=mse`: every objective against mse in its own
 * world and capacity); `--versus VARIANT`: each config with the one of that variant and the same
 * axis values. `--per-seed real|gap|strategic` prints instead each config's last-iteration value
 * per seed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseLabOutput } from '../exportFile';
import {
  objectivesTable,
  pairsVersus,
  perSeedTable,
  PER_SEED_METRICS,
  type NamedOutput,
  type Pair,
  type PerSeedMetric,
} from './objectivesTable';

/** Each config folder of a sweep as one output whose runs are its seeds' (sorted by seed). */
function sweepOutputs(dir: string, baseline: string | undefined): NamedOutput[] | string {
  let folders: string[];
  try {
    folders = readdirSync(dir)
      .filter((name) => statSync(join(dir, name)).isDirectory())
      .sort();
  } catch (error) {
    return `${dir}: cannot read (${error instanceof Error ? error.message : String(error)})`;
  }
  const outputs: NamedOutput[] = [];
  for (const folder of folders) {
    const files = readdirSync(join(dir, folder)).filter((name) => /^seed-\d+\.json$/.test(name));
    const parsed = [];
    for (const file of files) {
      const result = parseLabOutput(readFileSync(join(dir, folder, file), 'utf8'));
      if (!result.ok)
        return `${join(dir, folder, file)}:\n${result.problems.map((p) => `  ${p}`).join('\n')}`;
      parsed.push(result.output);
    }
    if (parsed.length === 0) continue;
    const runs = parsed.flatMap((output) => output.runs).sort((a, b) => a.seed - b.seed);
    outputs.push({ name: folder, output: { ...parsed[0], runs } });
  }
  if (outputs.length === 0) return `${dir}: no finished run (folders of seed-N.json files)`;
  if (baseline !== undefined) {
    const at = outputs.findIndex((output) => output.name === baseline);
    if (at < 0) return `${dir}: no config "${baseline}" (${outputs.map((o) => o.name).join('; ')})`;
    outputs.unshift(...outputs.splice(at, 1));
  }
  return outputs;
}

function main(args: readonly string[]): number {
  if (args[0] === '--dir') {
    const dir = args[1];
    const usage =
      'usage: npm run table -- --dir DIR [--baseline CONFIG | --versus KEY=VALUE | --versus VARIANT] [--per-seed real|gap|strategic]\n';
    const options = new Map<string, string>();
    for (let i = 2; i < args.length; i += 2) {
      const [option, value] = [args[i], args[i + 1]];
      if (!['--baseline', '--versus', '--per-seed'].includes(option) || value === undefined) {
        process.stderr.write(usage);
        return 2;
      }
      options.set(option, value);
    }
    const versus = options.get('--versus');
    const perSeed = options.get('--per-seed');
    if (
      dir === undefined ||
      (versus !== undefined && (options.has('--baseline') || !/^[^=,]+(=[^=,]+)?$/.test(versus))) ||
      (perSeed !== undefined && !Object.hasOwn(PER_SEED_METRICS, perSeed))
    ) {
      process.stderr.write(usage);
      return 2;
    }
    const outputs = sweepOutputs(dir, options.get('--baseline'));
    if (typeof outputs === 'string') {
      process.stderr.write(`${outputs}\n`);
      return 2;
    }
    if (perSeed !== undefined) {
      process.stdout.write(`${perSeedTable(outputs, perSeed as PerSeedMetric)}\n`);
      return 0;
    }
    let pairs: Pair[] | undefined;
    if (versus !== undefined) {
      pairs = pairsVersus(
        outputs.map(({ name }) => name),
        versus,
      );
      if (pairs.length === 0) {
        process.stderr.write(
          `${dir}: no config pairs with ${versus} (${outputs.map((o) => o.name).join('; ')})\n`,
        );
        return 2;
      }
    }
    process.stdout.write(`${objectivesTable(outputs, pairs)}\n`);
    return 0;
  }
  if (args.length === 0) {
    process.stderr.write(
      'usage: npm run table -- [NAME=]FILE ...   (lab outputs; the first is the baseline)\n',
    );
    return 2;
  }
  const outputs: NamedOutput[] = [];
  for (const arg of args) {
    const split = arg.indexOf('=');
    const [name, file] =
      split > 0 ? [arg.slice(0, split), arg.slice(split + 1)] : [basename(arg, '.json'), arg];
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      process.stderr.write(
        `${file}: cannot read (${error instanceof Error ? error.message : String(error)})\n`,
      );
      return 2;
    }
    const parsed = parseLabOutput(text);
    if (!parsed.ok) {
      process.stderr.write(`${file}:\n${parsed.problems.map((p) => `  ${p}`).join('\n')}\n`);
      return 2;
    }
    outputs.push({ name, output: parsed.output });
  }
  process.stdout.write(`${objectivesTable(outputs)}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
