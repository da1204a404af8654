/**
 * Live knobs in the loop: `next(config)` during iteration k goes on with the config from
 * iteration k + 1 without restarting the run, the first report made with it lists the change,
 * and where in iteration k the config was given does not matter, so the lab, which gives it at
 * the report of k, reproduces a run changed live at any moment. A knob that needs a fresh run is
 * refused; fewer iterations than already run end the run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentConfig } from '../../src/config/schema';
import { runExperiment } from '../../src/experiment';
import type { ExperimentEvent, IterationReport } from '../../src/report';
import { useBackend } from '../models/helpers';
import { tinyConfig } from './helpers';

/** Runs to the end; `change(event)` may return a config to pass to `next` at that event. */
async function runChanging(
  config: ExperimentConfig,
  change: (event: ExperimentEvent) => ExperimentConfig | undefined,
): Promise<IterationReport[]> {
  const reports: IterationReport[] = [];
  const run = runExperiment(config);
  let next = await run.next();
  while (next.done !== true) {
    const event = next.value;
    if (event.kind === 'report') reports.push(event.report);
    next = await run.next(change(event));
  }
  return reports;
}

/** A report's figures, without what the clock and the machine decide. */
function figures(report: IterationReport): unknown {
  const { seconds, timings, backend, ...rest } = report;
  void seconds;
  void timings;
  void backend;
  return rest;
}

const withModelRate = (config: ExperimentConfig, learningRate: number): ExperimentConfig => ({
  ...config,
  model: { ...config.model, learningRate },
});

describe('live knobs', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  const config = tinyConfig({ iterations: 3, model: { learningRate: 0.001 } });
  const faster = withModelRate(config, 0.01);

  it(
    'applies a change at the next iteration without a restart, and the report says so',
    { timeout: 60_000 },
    async () => {
      let given = false;
      const reports = await runChanging(config, (event) => {
        // Mid-iteration 0, while the model fits.
        if (!given && event.kind === 'phase' && event.phase === 'fit' && event.iteration === 0) {
          given = true;
          return faster;
        }
        return undefined;
      });
      expect(reports.map((r) => r.iteration)).toEqual([0, 1, 2]);
      expect(reports[0].changes).toBeUndefined();
      expect(reports[1].changes).toEqual([{ key: 'lr', from: 0.001, to: 0.01 }]);
      expect(reports[2].changes).toBeUndefined();
      // One run: the data kept growing, nothing started again.
      expect(reports.map((r) => r.realSteps)).toEqual([
        config.data.initialRandomSteps + config.data.realStepsPerIteration,
        config.data.initialRandomSteps + 2 * config.data.realStepsPerIteration,
        config.data.initialRandomSteps + 3 * config.data.realStepsPerIteration,
      ]);

      // Given at the report of iteration 0 instead (as the lab replays a schedule): the same run.
      const atReport = await runChanging(config, (event) =>
        event.kind === 'report' && event.report.iteration === 0 ? faster : undefined,
      );
      expect(atReport.map(figures)).toEqual(reports.map(figures));

      // And the change mattered: without it, iteration 1 differs.
      const unchanged = await runChanging(config, () => undefined);
      expect(figures(unchanged[0])).toEqual(figures(reports[0]));
      expect(unchanged[1].losses.modelTrain).not.toBe(reports[1].losses.modelTrain);
    },
  );

  it('refuses a knob that needs a fresh run, by name', { timeout: 60_000 }, async () => {
    const wider = { ...config, model: { ...config.model, width: 32 } };
    await expect(
      runChanging(config, (event) => (event.kind === 'report' ? wider : undefined)),
    ).rejects.toThrow(/need a new run, not a live change: model\.width/);
  });

  it('ends the run when its iterations are lowered below those already run', { timeout: 60_000 }, async () => {
    const longer = tinyConfig({ iterations: 10 });
    const reports = await runChanging(longer, (event) =>
      event.kind === 'report' && event.report.iteration === 1
        ? { ...longer, iterations: 2 }
        : undefined,
    );
    expect(reports.map((r) => r.iteration)).toEqual([0, 1]);
  });
});
