import { selectPlaying, usePlayTabStore } from './playTabStore';

export function PlaybackControls() {
  const playing = usePlayTabStore(selectPlaying);
  const togglePlaying = usePlayTabStore((state) => state.togglePlaying);
  const stepOnce = usePlayTabStore((state) => state.stepOnce);
  const reset = usePlayTabStore((state) => state.reset);
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
