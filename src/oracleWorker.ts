/**
 * The oracle's own Web Worker, started by the engine's worker (worker.ts): the oracle plans with
 * the true env in plain JS for seconds, and made here, on the other core, it never holds up a
 * report. It takes `{ id, request }` and answers `{ id, run }` or `{ id, error }`.
 */
import { runOracleFor, type OracleRequest, type OracleRun } from './policies/oracle';

declare const self: DedicatedWorkerGlobalScope;

export type OracleAnswer = { readonly id: number; readonly run: OracleRun } | { readonly id: number; readonly error: string };

self.onmessage = (event: MessageEvent<{ id: number; request: OracleRequest }>) => {
  const { id, request } = event.data;
  let answer: OracleAnswer;
  try {
    answer = { id, run: runOracleFor(request) };
  } catch (caught) {
    answer = { id, error: caught instanceof Error ? caught.message : String(caught) };
  }
  self.postMessage(answer);
};
