/**
 * Results files in and out: Export JSON (the lab's format, so `npm run lab -- --config FILE`
 * re-runs it) and CSV, Load a results file for viewing, the banner that says a file is on screen
 * (with the way back), the refusal of a bad file, and the PNG button of each chart and map.
 *
 * A loaded file is untrusted: it is size-checked, parsed and validated by src/exportFile.ts and
 * only ever rendered as text by React.
 */
import { useId, useRef, useState, type MouseEvent } from 'react';
import {
  buildLabOutput,
  scheduleOf,
  csvRows,
  exportFileName,
  fileSizeProblem,
  parseLabOutput,
  serialiseLabOutput,
  type LabOutput,
} from '../../src/exportFile';
import { pauseRun } from '../engineClient';
import { chartToPng, downloadBlob, slug, titledCanvasToPng } from './download';
import { reportArchive } from './reportArchive';
import { selectShownReportCount, useLabStore, type LabState } from './store';

/** What is on screen as a results file: the loaded file's run, or the current run. */
async function shownOutput(state: LabState): Promise<LabOutput | null> {
  if (state.viewing !== null) {
    const { output, runIndex } = state.viewing;
    return buildLabOutput(output.config, output.backend, [output.runs[runIndex]], output.schedule);
  }
  // The base config's seeds, as the lab writes `--seeds K`; compared variants are other configs.
  const lanes = state.lanes.filter((lane) => lane.variant === 0 && lane.reportCount > 0);
  const started = state.runStartVariants[0];
  if (started === undefined || lanes.length === 0) return null;
  const runs = await Promise.all(
    lanes.map(async (lane) => ({ seed: lane.seed, reports: await reportArchive.reports(lane) })),
  );
  // The config the run started from and the live changes it took since, with their iterations
  // (every lane takes a change at the same one): the lab replays them to reproduce the run.
  return buildLabOutput(started, state.backend, runs, scheduleOf(runs[0].reports));
}

async function exportShown(kind: 'json' | 'csv'): Promise<void> {
  const output = await shownOutput(useLabStore.getState());
  if (output === null) return;
  const run = output.runs[0];
  const name = exportFileName(output.config, run.seed, kind);
  if (kind === 'json') {
    downloadBlob(new Blob([serialiseLabOutput(output)], { type: 'application/json' }), name);
  } else {
    downloadBlob(new Blob([csvRows(output.runs)], { type: 'text/csv' }), name);
  }
}

/** Reads, checks and shows a results file; a bad one is refused with its problems. */
async function loadFile(file: File): Promise<void> {
  const store = useLabStore.getState();
  const tooBig = fileSizeProblem(file.size);
  if (tooBig !== null) {
    store.fileRefused(file.name, [tooBig]);
    return;
  }
  let text: string;
  try {
    text = await file.text();
  } catch (error) {
    store.fileRefused(file.name, [
      `the file could not be read: ${error instanceof Error ? error.message : String(error)}`,
    ]);
    return;
  }
  const result = parseLabOutput(text, { bytes: file.size });
  if (!result.ok) {
    store.fileRefused(file.name, result.problems);
    return;
  }
  pauseRun();
  store.fileLoaded(file.name, result.output);
}

/** Export JSON, Export CSV and Load file, for the top bar. */
export function FileButtons() {
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const canExport = useLabStore((state) => selectShownReportCount(state) > 0);
  return (
    <div className="file-buttons" role="group" aria-label="Results file">
      <button
        type="button"
        className="button button--small"
        onClick={() => exportShown('json')}
        disabled={!canExport}
        title="Download the reports on screen as JSON (the lab's format: npm run lab -- --config FILE re-runs it)"
      >
        Export JSON
      </button>
      <button
        type="button"
        className="button button--small"
        onClick={() => exportShown('csv')}
        disabled={!canExport}
        title="Download one row per iteration as CSV"
      >
        CSV
      </button>
      <button
        type="button"
        className="button button--small"
        onClick={() => input.current?.click()}
        title="View a results file exported here or written by the lab (--out)"
      >
        Load file
      </button>
      <label htmlFor={inputId} className="visually-hidden">
        Load a results file
      </label>
      <input
        id={inputId}
        ref={input}
        type="file"
        accept=".json,application/json"
        className="visually-hidden"
        tabIndex={-1}
        onChange={(event) => {
          const file = event.target.files?.[0];
          // Cleared so that choosing the same file again loads it again.
          event.target.value = '';
          if (file !== undefined) void loadFile(file);
        }}
      />
    </div>
  );
}

/** While a file is on screen: what it is, which seed, and the way back. */
export function LoadedFileBanner() {
  const viewing = useLabStore((state) => state.viewing);
  const viewRun = useLabStore((state) => state.viewRun);
  const closeViewing = useLabStore((state) => state.closeViewing);
  const loadDecoded = useLabStore((state) => state.loadDecoded);
  const seedId = useId();
  if (viewing === null) return null;
  const { output, runIndex, name } = viewing;
  const run = output.runs[runIndex];
  const config = output.config;
  return (
    <div className="message message--viewing" role="status" aria-label="Viewing a loaded file">
      <div>
        <strong>Viewing a loaded file:</strong> <span className="file-name">{name}</span>
        <p>
          {run.reports.length} of {config.iterations} iterations of {config.env.id} (objective{' '}
          {config.objective.kind}, seed {run.seed})
          {output.backend === null ? '' : `, computed on ${output.backend.backend.toUpperCase()}`}.
          Nothing runs while you view it; the settings on the left are still yours.
        </p>
        {output.runs.length > 1 && (
          <p>
            <label htmlFor={seedId}>Run </label>
            <select
              id={seedId}
              value={runIndex}
              onChange={(event) => viewRun(Number(event.target.value))}
            >
              {output.runs.map((r, index) => (
                <option key={index} value={index}>
                  seed {r.seed}
                </option>
              ))}
            </select>{' '}
            of {output.runs.length}
          </p>
        )}
      </div>
      <div className="message-actions">
        <button
          type="button"
          className="button button--small button--primary"
          onClick={closeViewing}
        >
          Back to the playground
        </button>
        <button
          type="button"
          className="button button--small"
          title="Put the file's settings in the controls (and the link), ready to run"
          onClick={() => {
            loadDecoded({
              config: { ...config, seed: run.seed },
              preset: null,
              hide: [],
              lesson: null,
              notices: [],
              compare: [],
              seeds: 1,
            });
            closeViewing();
          }}
        >
          Use its settings
        </button>
      </div>
    </div>
  );
}

/** A refused file: its name and every problem, as text. */
export function LoadFileError() {
  const loadError = useLabStore((state) => state.loadError);
  const dismiss = useLabStore((state) => state.dismissLoadError);
  if (loadError === null) return null;
  return (
    <div className="message message--error" role="alert" aria-label="File not loaded">
      <div>
        <strong>
          The file <span className="file-name">{loadError.name}</span> was not loaded:
        </strong>
        <ul className="error-text">
          {loadError.problems.map((problem, index) => (
            <li key={index}>{problem}</li>
          ))}
        </ul>
      </div>
      <button type="button" className="button button--small" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}

/**
 * Downloads the figure it sits in as PNG: a recharts chart, or the figure's canvas under a title
 * (`caption`, when it says more than the button's `title`, e.g. which compared config).
 */
export function PngButton({
  title,
  kind,
  caption = title,
}: {
  title: string;
  kind: 'chart' | 'canvas';
  caption?: string;
}) {
  const [failed, setFailed] = useState<string | null>(null);
  const save = async (event: MouseEvent<HTMLButtonElement>) => {
    const figure = event.currentTarget.closest('figure');
    if (figure === null) return;
    try {
      let blob: Blob;
      if (kind === 'chart') {
        blob = await chartToPng(figure, title);
      } else {
        const canvas = figure.querySelector('canvas');
        if (canvas === null) throw new Error('No canvas in this figure.');
        blob = await titledCanvasToPng(canvas, caption);
      }
      setFailed(null);
      downloadBlob(blob, `mismatch-lab_${slug(title)}.png`);
    } catch (error) {
      setFailed(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <button
      type="button"
      className="png-button"
      onClick={(event) => void save(event)}
      aria-label={`Download ${title} as PNG`}
      title={failed ?? `Download as PNG`}
    >
      {failed === null ? 'PNG' : 'PNG failed'}
    </button>
  );
}
