import { ActionButtons } from './ActionButtons';
import { DriverPicker } from './DriverPicker';
import { EnvCanvas } from './EnvCanvas';
import { EnvPicker } from './EnvPicker';
import { EpisodePanel } from './EpisodePanel';
import { ObservationPanel } from './ObservationPanel';
import { PlaybackControls } from './PlaybackControls';
import { SeedInput } from './SeedInput';
import { useAnimationLoop } from './useAnimationLoop';
import { useKeyboardControls } from './useKeyboardControls';

/** The first screen: play the real env yourself, or watch a hand-written controller. */
export function FirstScreen() {
  useAnimationLoop();
  useKeyboardControls();
  return (
    <div className="first-screen">
      <p className="tab-intro">
        The real dynamics a world model has to learn — play them, or let a controller try.
      </p>
      <div className="layout">
        <section className="stage" aria-label="Environment view">
          <EnvCanvas />
          <div className="stage-controls">
            <PlaybackControls />
            <ActionButtons />
          </div>
          <p className="keys-hint">
            <kbd>←</kbd> <kbd>→</kbd> push while held · <kbd>Space</kbd> play/pause · <kbd>R</kbd>{' '}
            reset
          </p>
        </section>
        <aside className="sidebar">
          <section className="panel" aria-label="Setup">
            <EnvPicker />
            <DriverPicker />
            <SeedInput />
          </section>
          <EpisodePanel />
          <ObservationPanel />
        </aside>
      </div>
    </div>
  );
}
