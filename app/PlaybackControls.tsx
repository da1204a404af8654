import { selectPlaying, useLabStore } from './store';

export function PlaybackControls() {
  const playing = useLabStore(selectPlaying);
  const togglePlaying = useLabStore((state) => state.togglePlaying);
  const stepOnce = useLabStore((state) => state.stepOnce);
  const reset = useLabStore((state) => state.reset);
  return (
    <div className="playback" role="group" aria-label="Playback">
      <button type="button" className="button button--primary" onClick={togglePlaying}>
        <span aria-hidden="true">{playing ? '❚❚' : '▶'}</span> {playing ? 'Pause' : 'Play'}
      </button>
      <button type="button" className="button" onClick={stepOnce} disabled={playing}>
        Step
      </button>
      <button type="button" className="button" onClick={reset}>
        <span aria-hidden="true">↺</span> Reset
      </button>
    </div>
  );
}
