import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReferenceData, formatReport, passed } from '../../src/envs/conformance';
import { ENV_IDS } from '../../src/envs';
import { referenceFiles } from './fixtures';

const files = referenceFiles();

describe('Gymnasium 1.4 reference files', () => {
  it('are all present: three kinds for each of the five envs', () => {
    const names = files.map((file) => path.basename(file));
    for (const id of ENV_IDS) {
      expect(names).toContain(`${id}.json`);
      expect(names).toContain(`${id}.goal.json`);
      expect(names).toContain(`${id}.transitions.json`);
    }
    expect(files).toHaveLength(15);
  });

  it.each(files.map((file) => [path.basename(file), file]))(
    '%s passes every check',
    (name, file) => {
      const report = checkReferenceData(JSON.parse(readFileSync(file, 'utf8')), name);
      expect(report.error).toBeNull();
      expect(formatReport(name, report)).toMatch(/^PASS /);
      expect(report.failed).toBe(0);
      expect(passed(report)).toBe(true);
      // Every file compares thousands of values; a tiny count would mean the checker skipped work.
      expect(report.checks).toBeGreaterThan(2000);
      expect(report.envId).toBe(name.split('.')[0]);
      expect(report.kind).toBe(name.endsWith('.transitions.json') ? 'transitions' : 'episodes');
    },
  );
});
