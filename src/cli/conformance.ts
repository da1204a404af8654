/**
 * `npm run conformance -- FILE...`: replays Gymnasium reference files through our envs. Prints one
 * line per file, then `N passed, N failed` (files); exits 1 if any file failed, 2 without files.
 */
import { readFileSync } from 'node:fs';
import {
  checkReferenceData,
  formatReport,
  passed,
  unusableFile,
  type ConformanceReport,
} from '../envs/conformance';

function checkFile(path: string): ConformanceReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return unusableFile(`cannot read the file (${code ?? (error as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return unusableFile(`not valid JSON (${(error as Error).message})`);
  }
  return checkReferenceData(data, path);
}

function main(paths: readonly string[]): number {
  if (paths.length === 0) {
    console.error(
      'usage: npm run conformance -- FILE...\n' +
        '  FILE: a Gymnasium reference file (<id>.json, <id>.goal.json or <id>.transitions.json),\n' +
        '        e.g. ../shared/reference/gymnasium/*.json',
    );
    return 2;
  }
  let passedFiles = 0;
  for (const path of paths) {
    const report = checkFile(path);
    if (passed(report)) passedFiles += 1;
    console.log(formatReport(path, report));
  }
  const failedFiles = paths.length - passedFiles;
  console.log(`${passedFiles} passed, ${failedFiles} failed`);
  return failedFiles === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
