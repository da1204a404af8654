/** Real transitions as row-major arrays: what the error metrics compare the model against. */
export interface TransitionRows {
  readonly count: number;
  readonly observationDim: number;
  readonly observations: Float32Array;
  /** Env-format actions, one column. */
  readonly actions: Float32Array;
  readonly nextObservations: Float32Array;
}

/** Collects rows one at a time (evaluation episodes, the oracle), then freezes them. */
export class TransitionRowsBuilder {
  private readonly observations: number[] = [];
  private readonly actions: number[] = [];
  private readonly nextObservations: number[] = [];

  constructor(readonly observationDim: number) {}

  add(observation: ArrayLike<number>, action: number, nextObservation: ArrayLike<number>): void {
    for (let k = 0; k < this.observationDim; k++) {
      this.observations.push(observation[k]);
      this.nextObservations.push(nextObservation[k]);
    }
    this.actions.push(action);
  }

  build(): TransitionRows {
    return {
      count: this.actions.length,
      observationDim: this.observationDim,
      observations: Float32Array.from(this.observations),
      actions: Float32Array.from(this.actions),
      nextObservations: Float32Array.from(this.nextObservations),
    };
  }
}
