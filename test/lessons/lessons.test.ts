/**
 * The lessons' content: every step's setup is a link the codec reads without a word to say and a
 * set of configs the loop accepts, links address every step, and no lesson text carries a number
 * of its own (the figures it shows come from the run on screen).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LESSONS, findLesson, lessonRefProblem } from '../../app/lessons/lessons';
import { comparedConfigs } from '../../src/config/compareVariants';
import { decodeHash, encodeConfig } from '../../src/config/urlCodec';
import { runExperiment, type ExperimentHooks } from '../../src/experiment';
import { SERIES_NAMES } from '../../src/reportSeries';
import { useBackend } from '../models/helpers';

const presetOf = (setup: string) => /(?:^|&)preset=([^&]+)/.exec(setup)?.[1] ?? null;

const steps = LESSONS.flatMap((lesson) =>
  lesson.steps.map((step, index) => ({
    lesson,
    step,
    index,
    name: `lesson ${lesson.id}.${index + 1}`,
  })),
);
const setUp = steps.filter(({ step }) => step.setup !== undefined);

describe('lessons', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('are numbered 1, 2, … in order, each with steps, and found by their number', () => {
    expect(LESSONS.map((lesson) => lesson.id)).toEqual(LESSONS.map((_, i) => String(i + 1)));
    for (const lesson of LESSONS) {
      expect(lesson.steps.length).toBeGreaterThan(0);
      expect(findLesson(lesson.id)).toBe(lesson);
      // The first step sets the experiment up: a lesson opened from a link starts somewhere known.
      expect(lesson.steps[0].setup, lesson.title).toBeDefined();
    }
    expect(findLesson('99')).toBeUndefined();
  });

  it.each(setUp.map((entry) => [entry.name, entry] as const))(
    '%s: its setup is a link the codec reads without a notice',
    (_, { step }) => {
      const setup = step.setup as string;
      const decoded = decodeHash(`v=2&${setup}`);
      expect(decoded.notices).toEqual([]);
      expect(decoded.preset).toBe(presetOf(setup));
    },
  );

  it("compare lesson 2's exploit with exactly the healthy preset", () => {
    const sideBySide = findLesson('2')?.steps[2].setup as string;
    const decoded = decodeHash(`v=2&${sideBySide}`);
    const [exploit, healthy] = comparedConfigs(decoded.config, decoded.compare);
    expect(exploit).toEqual(decodeHash('v=2&preset=exploit').config);
    expect(healthy).toEqual(decodeHash('v=2&preset=healthy').config);
  });

  it('reach each step from a link, lesson=ID.N', () => {
    for (const { lesson, index } of steps) {
      const hash = encodeConfig(decodeHash('').config, { lesson: { id: lesson.id, step: index } });
      expect(decodeHash(hash).lesson).toEqual({ id: lesson.id, step: index });
      if (index > 0) expect(hash).toContain(`lesson=${lesson.id}.${index + 1}`);
    }
  });

  it('say what a link asked for when the lesson or the step does not exist', () => {
    const last = LESSONS[0].steps.length;
    expect(lessonRefProblem({ id: '1', step: last - 1 })).toBeNull();
    // lesson=1.4 and lesson=1.99999999 (lesson 1 has 3 steps), lesson=99.99.
    expect(lessonRefProblem({ id: '1', step: 3 })).toBe(
      `The link asks for step 4 of lesson 1, which has ${last} steps: this is step ${last}, its last.`,
    );
    expect(lessonRefProblem(decodeHash('lesson=1.99999999').lesson ?? { id: '', step: 0 })).toBe(
      `The link asks for step 99999999 of lesson 1, which has ${last} steps: this is step ${last}, its last.`,
    );
    expect(lessonRefProblem({ id: '99', step: 98 })).toBe(
      `There is no lesson 99: the lessons are numbered 1 to ${LESSONS.length}.`,
    );
  });

  it('quote only figures the reports have, and write no numbers of their own into the figures', () => {
    for (const { step, name } of steps) {
      for (const figure of step.figures ?? []) {
        expect(SERIES_NAMES, name).toContain(figure.series);
        expect(figure.label, name).not.toMatch(/\d/);
      }
    }
  });

  it('set up only configs the loop accepts', async () => {
    const oracleCache: NonNullable<ExperimentHooks['oracleCache']> = new Map();
    for (const { step, name } of setUp) {
      const decoded = decodeHash(`v=2&${step.setup as string}`);
      for (const config of comparedConfigs(decoded.config, decoded.compare)) {
        // The loop refuses unsupported knob combinations when it builds the run, before any work.
        const run = runExperiment({ ...config, backend: 'wasm' }, { oracleCache });
        await expect(run.next(), name).resolves.toBeDefined();
        await run.return(undefined);
      }
    }
  }, 120_000);
});
