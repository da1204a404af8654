/**
 * Files from outside: a results file loaded into the app or the lab (src/exportFile.ts) and a
 * config file given to the lab (src/cli/labRunner.ts). A real export of a one-iteration run is
 * truncated at many points, mutated byte by byte, padded past the size cap, nested deep, filled
 * with markup and `__proto__` keys. Each file is either refused with a message saying why, or
 * accepted as a valid lab output; nothing throws, nothing is evaluated, no prototype changes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend';
import { runLab } from '../../src/cli/labRunner';
import { parseConfig } from '../../src/config/parse';
import {
  buildLabOutput,
  MAX_FILE_BYTES,
  MAX_JSON_DEPTH,
  parseLabOutput,
  serialiseLabOutput,
  type LabOutputParseResult,
} from '../../src/exportFile';
import { iterationReportSchema } from '../../src/report';
import { createRng } from '../../src/rng';
import { collectRun, TINY, tinyConfig } from '../experiment/helpers';

const dir = mkdtempSync(join(tmpdir(), 'input-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let exported = '';
beforeAll(async () => {
  await initBackend({ preference: 'wasm' });
  const config = tinyConfig({ iterations: 1 });
  const { reports } = await collectRun(config);
  exported = serialiseLabOutput(buildLabOutput(config, null, [{ seed: config.seed, reports }]));
}, 60_000);

type Verdict = 'refused' | 'accepted' | 'threw';

/** Parses, and checks that an accepted file really is a lab output and a refusal says why. */
function verdictOf(text: string): { verdict: Verdict; result: LabOutputParseResult | null } {
  let result: LabOutputParseResult;
  try {
    result = parseLabOutput(text);
  } catch {
    return { verdict: 'threw', result: null };
  }
  if (!result.ok) {
    expect(result.problems.length).toBeGreaterThan(0);
    for (const problem of result.problems) expect(problem.trim().length).toBeGreaterThan(5);
    return { verdict: 'refused', result };
  }
  expect(parseConfig(result.output.config).ok).toBe(true);
  for (const run of result.output.runs) {
    for (const report of run.reports)
      expect(iterationReportSchema.safeParse(report).success).toBe(true);
  }
  return { verdict: 'accepted', result };
}

const tally: Record<Verdict, number> = { refused: 0, accepted: 0, threw: 0 };
function count(verdict: Verdict): Verdict {
  tally[verdict]++;
  return verdict;
}

function problemsOf(result: LabOutputParseResult | null): string {
  return result === null || result.ok ? '' : result.problems.join('\n');
}

const polluted = () =>
  [Object.prototype, Array.prototype, Function.prototype].some((proto) =>
    Object.hasOwn(proto, 'polluted'),
  );

describe('results files from outside', () => {
  it('accepts the real export unchanged', () => {
    expect(count(verdictOf(exported).verdict)).toBe('accepted');
  });

  it('refuses the export truncated at 200 points, saying it is not complete JSON', () => {
    for (let k = 0; k < 200; k++) {
      const cut = Math.floor((k * exported.length) / 200);
      const { verdict, result } = verdictOf(exported.slice(0, cut));
      expect(count(verdict), `cut at ${cut}`).toBe('refused');
      expect(problemsOf(result), `cut at ${cut}`).toMatch(/empty|not complete JSON|not valid JSON/);
    }
  });

  it('refuses or accepts-as-valid 1 000 random byte mutations, never throwing', () => {
    const rng = createRng(8).fork('mutations');
    const verdicts: Verdict[] = [];
    for (let k = 0; k < 1_000; k++) {
      const chars = [...exported];
      for (let edits = 1 + rng.int(3); edits > 0; edits--) {
        const at = rng.int(chars.length);
        const choice = rng.int(3);
        if (choice === 0) chars[at] = String.fromCharCode(rng.int(128));
        else if (choice === 1) chars.splice(at, 1);
        else chars.splice(at, 0, chars[rng.int(chars.length)]);
      }
      verdicts.push(count(verdictOf(chars.join('')).verdict));
    }
    expect(verdicts.filter((v) => v === 'threw')).toEqual([]);
    // Most edits break the JSON or a schema; some (a digit changed) leave a valid file.
    expect(verdicts.filter((v) => v === 'refused').length).toBeGreaterThan(500);
  });

  it('refuses random bytes, empty files and JSON that is not a lab output', () => {
    const rng = createRng(9).fork('garbage');
    for (let k = 0; k < 100; k++) {
      const text = String.fromCharCode(
        ...Array.from({ length: 1 + rng.int(500) }, () => rng.int(65_536)),
      );
      expect(count(verdictOf(text).verdict)).toBe('refused');
    }
    for (const text of [
      '',
      '   ',
      'null',
      '[]',
      '{}',
      '"x"',
      '1e999',
      '{"config": 1, "runs": 2}',
    ]) {
      expect(count(verdictOf(text).verdict), text).toBe('refused');
    }
  });

  it('refuses a file above the size cap before parsing it', () => {
    const huge = exported + ' '.repeat(MAX_FILE_BYTES);
    const started = performance.now();
    const { verdict, result } = verdictOf(huge);
    expect(count(verdict)).toBe('refused');
    expect(problemsOf(result)).toMatch(/MB, above the 20\.0 MB limit/);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('refuses deep nesting, at the top and inside a valid file, without a stack overflow', () => {
    const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    for (const depth of [MAX_JSON_DEPTH + 1, 1_000, 100_000, 1_000_000]) {
      const { verdict, result } = verdictOf(deep(depth));
      expect(count(verdict)).toBe('refused');
      expect(problemsOf(result)).toMatch(new RegExp(`nests deeper than ${MAX_JSON_DEPTH} levels`));
    }
    const nestedObject = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
    expect(count(verdictOf(nestedObject).verdict)).toBe('refused');
    const inside = exported.replace('"realParams":{}', `"realParams":{"g":${deep(40)}}`);
    expect(inside).not.toBe(exported);
    const { verdict, result } = verdictOf(inside);
    expect(count(verdict)).toBe('refused');
    expect(problemsOf(result)).toMatch(/nests deeper/);
    // Brackets inside strings are text, not nesting.
    const inString = exported.replace('"xLabel":"', `"xLabel":"${'['.repeat(100)}`);
    expect(inString).not.toBe(exported);
    expect(count(verdictOf(inString).verdict)).toBe('accepted');
  });

  it('keeps markup in every string as inert text, or refuses it where a string is not free', () => {
    const markup = '<script>globalThis.pwned = 1</script><img src=x onerror="globalThis.pwned=1">';
    // Every string value of the file, one at a time, with the markup in front of it.
    const paths: (string | number)[][] = [];
    const walk = (node: unknown, path: (string | number)[]) => {
      if (typeof node === 'string') paths.push(path);
      else if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...path, i]));
      else if (typeof node === 'object' && node !== null) {
        for (const [key, value] of Object.entries(node)) walk(value, [...path, key]);
      }
    };
    walk(JSON.parse(exported), []);
    expect(paths.length).toBeGreaterThan(5);
    let accepted = 0;
    for (const path of paths) {
      const file = JSON.parse(exported) as Record<string | number, unknown>;
      let node = file;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
      const last = path[path.length - 1];
      node[last] = `${markup}${String(node[last])}`;
      const { verdict, result } = verdictOf(JSON.stringify(file));
      count(verdict);
      expect(verdict, path.join('.')).not.toBe('threw');
      if (result !== null && result.ok) {
        accepted++;
        // Kept verbatim, as a string: what React renders as text.
        expect(JSON.stringify(result.output)).toContain(JSON.stringify(markup).slice(1, -1));
      }
    }
    expect(accepted).toBeGreaterThan(0);
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
  });

  it('drops __proto__, constructor and prototype keys at every level: no prototype changes', () => {
    const hostile = [
      '"__proto__":{"polluted":1}',
      '"constructor":{"prototype":{"polluted":1}}',
      '"prototype":{"polluted":1}',
    ];
    for (const key of hostile) {
      // Into every object of the file.
      const text = exported.replaceAll('{"', `{${key},"`);
      const { verdict, result } = verdictOf(text);
      count(verdict);
      expect(verdict, key).toBe('accepted');
      expect(polluted()).toBe(false);
      if (result !== null && result.ok) {
        expect(Object.getPrototypeOf(result.output)).toBe(Object.prototype);
        expect(Object.getPrototypeOf(result.output.config)).toBe(Object.prototype);
        expect(JSON.stringify(result.output)).not.toContain('polluted');
      }
    }
  });

  it('prints how many files were tried', () => {
    const tried = tally.refused + tally.accepted + tally.threw;
    console.log(
      `input files: ${tried} results files tried: ${tally.refused} refused with a message, ` +
        `${tally.accepted} accepted as valid, ${tally.threw} threw`,
    );
    expect(tally.threw).toBe(0);
  });
});

describe('config files given to the lab', () => {
  interface Refusal {
    readonly code: number;
    readonly said: string;
  }
  async function lab(name: string, content: string | Buffer): Promise<Refusal> {
    const file = join(dir, name);
    writeFileSync(file, content);
    const said: string[] = [];
    const out: string[] = [];
    const result = await runLab(['--config', file, '--quiet'], {
      out: (line) => out.push(line),
      err: (line) => said.push(line),
    });
    // Refused before anything ran: no backend chosen, no progress.
    if (result.code === 2) expect(out).toEqual([]);
    return { code: result.code, said: said.join('\n') };
  }

  const tried: string[] = [];
  const refused = (name: string, r: Refusal, message: RegExp) => {
    tried.push(name);
    expect(r.code, r.said).toBe(2);
    expect(r.said).toMatch(message);
  };

  it('refuses malformed, truncated, huge, deep and ill-typed configs, naming each problem', async () => {
    const good = JSON.stringify({ ...TINY, iterations: 1 });
    refused('malformed', await lab('malformed.json', '{"model": {width: 3}}'), /is not valid JSON/);
    refused(
      'truncated',
      await lab('truncated.json', good.slice(0, good.length / 2)),
      /is not valid JSON/,
    );
    refused('empty', await lab('empty.json', ''), /is not valid JSON/);
    refused(
      'binary',
      await lab('binary.json', Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x7b])),
      /is not valid JSON/,
    );
    refused('array', await lab('array.json', '[1, 2]'), /must hold a JSON object/);
    refused(
      'lab output with a bad config',
      await lab('output.json', '{"config": 5, "runs": []}'),
      /"config" must be a JSON object/,
    );
    refused(
      'huge',
      await lab('huge.json', ' '.repeat(MAX_FILE_BYTES + 1) + good),
      /above the 20\.0 MB limit/,
    );
    refused(
      'deep',
      await lab('deep.json', `{"model": {"width": ${'['.repeat(200_000)}${']'.repeat(200_000)}}}`),
      /nests deeper than 32 levels/,
    );
    const bad = await lab(
      'bad.json',
      JSON.stringify({
        ...TINY,
        model: { width: -1, depth: 'two', ensembleSize: 3.5 },
        evaluation: { episodes: 1e9 },
        imagination: { horizon: null },
        bogus: 1,
      }),
    );
    refused('ill-typed', bad, /the config is not valid/);
    for (const path of [
      'model.width',
      'model.depth',
      'model.ensembleSize',
      'evaluation.episodes',
      'imagination.horizon',
    ]) {
      expect(bad.said).toMatch(new RegExp(`^ {2}${path.replace('.', '\\.')}: `, 'm'));
    }
    expect(bad.said).toMatch(/^ {2}\(config\): .*bogus/m);
  });

  it('drops __proto__ keys from a config: the defaults are not reached, nothing is polluted', async () => {
    const hostile = `{"__proto__": {"iterations": 1, "polluted": 1}, "model": {"__proto__": {"width": 3}, "width": -5}}`;
    const r = await lab('proto.json', hostile);
    refused('__proto__ keys', r, /model\.width: /);
    expect(r.said).not.toMatch(/__proto__/);
    expect(polluted()).toBe(false);
    console.log(
      `input files: ${tried.length} bad config files given to the lab, ${tried.length} refused with exit 2 and a message`,
    );
  });
});
