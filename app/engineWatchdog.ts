/**
 * Tells a dead engine worker from a busy one by its silence. A worker killed without an error
 * event (closed, or stopped by the browser) says nothing at all; while a run exists the worker
 * posts a heartbeat every HEARTBEAT_MS whenever its thread is free, and anything it posts counts.
 * But one step of the loop holds the thread without a break (measured on WASM on the shared
 * 2-core machine: up to 38 s between two events of the default preset), so silence is taken for
 * death only past SILENCE_MS, or twice the longest silence this run has already come back from.
 * A worker that speaks again was only busy: `heard` says so.
 */
export const SILENCE_MS = 60_000;
const CHECK_MS = 1_000;

export interface WatchdogListener {
  /** Nothing came for `seconds`: the worker is presumed dead. */
  silent(seconds: number): void;
  /** It spoke again after `silent`. */
  heard(): void;
}

export class EngineWatchdog {
  private lastHeard = 0;
  private longestGap = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private silent = false;

  constructor(
    private readonly listener: WatchdogListener,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get watching(): boolean {
    return this.timer !== null;
  }

  /** A run started: silence counts from now. */
  watch(): void {
    this.lastHeard = this.now();
    this.longestGap = 0;
    this.silent = false;
    this.timer ??= setInterval(() => this.check(), CHECK_MS);
  }

  /** No run is going on (it ended, failed or was cleared): silence is expected. */
  rest(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.silent = false;
  }

  /** Any message from the worker. */
  heard(): void {
    const now = this.now();
    if (this.timer !== null) this.longestGap = Math.max(this.longestGap, now - this.lastHeard);
    this.lastHeard = now;
    if (this.silent) {
      this.silent = false;
      this.listener.heard();
    }
  }

  /** The silence that counts as death now, in ms. */
  get limit(): number {
    return Math.max(SILENCE_MS, 2 * this.longestGap);
  }

  private check(): void {
    const quiet = this.now() - this.lastHeard;
    if (this.silent || quiet <= this.limit) return;
    this.silent = true;
    this.listener.silent(Math.round(quiet / 1_000));
  }
}
