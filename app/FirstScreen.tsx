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

export function App() {
  useAnimationLoop();
  useKeyboardControls();
  return (
    <div className="app">
      <header className="app-header">
        <h1>Mismatch Lab</h1>
        <p>The real dynamics a world model has to learn — play them, or let a controller try.</p>
      </header>
      <main className="layout">
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
      </main>
    </div>
  );
}
