/**
 * Every report of the current run, kept for the export, as JSON in Blobs rather than as objects
 * in the store. Measured in the browser soak (test/browser/soak.browser.test.ts): kept as objects,
 * a report of the tiny config cost the page 42 kB of heap (11 kB of JSON), so 1 000 iterations of
 * the largest comparison (4 configs × 5 seeds) would have held the better part of a gigabyte.
 * Chromium keeps Blob contents out of the page's JS heap (in the browser process, paged to disk
 * when large). The screen needs only each lane's latest report (the map, the episode) and the
 * bands (the charts); the store keeps those. The export reads the archive back.
 */
import type { IterationReport } from '../../src/report';
import type { LaneId } from '../../src/workerProtocol';

const key = (lane: LaneId) => `${lane.variant}/${lane.seedIndex}`;

export class ReportArchive {
  private runId = -1;
  private readonly lanes = new Map<string, Blob[]>();

  /** A new run: the last one's reports are dropped. */
  start(runId: number): void {
    this.runId = runId;
    this.lanes.clear();
  }

  clear(): void {
    this.runId = -1;
    this.lanes.clear();
  }

  /** Keeps a report of the current run; a late one from another run is ignored. */
  add(runId: number, lane: LaneId, report: IterationReport): void {
    if (runId !== this.runId) return;
    const parts = this.lanes.get(key(lane)) ?? [];
    parts.push(new Blob([JSON.stringify(report)], { type: 'application/json' }));
    this.lanes.set(key(lane), parts);
  }

  count(lane: LaneId): number {
    return this.lanes.get(key(lane))?.length ?? 0;
  }

  /** Every report of the lane, in order, read back from the Blobs. */
  async reports(lane: LaneId): Promise<IterationReport[]> {
    const parts = this.lanes.get(key(lane)) ?? [];
    if (parts.length === 0) return [];
    const joined: BlobPart[] = ['['];
    parts.forEach((part, i) => joined.push(...(i === 0 ? [part] : [',', part])));
    joined.push(']');
    return JSON.parse(await new Blob(joined).text()) as IterationReport[];
  }
}

/** The archive of the playground's run; the store's run actions fill and clear it. */
export const reportArchive = new ReportArchive();
