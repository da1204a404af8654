/**
 * `npm run table -- NAME=FILE ...`: prints the objectives table (objectivesTable.ts) from lab
 * outputs; the first file is the baseline of the ratios. Exit 2 on a file that does not parse.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseLabOutput } from '../exportFile';
import { objectivesTable, type NamedOutput } from './objectivesTable';

function main(args: readonly string[]): number {
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
