/** The playground: run bar on top, knobs on the left, the env and the state-space map in the middle, charts on the right. */
import { LessonPanel } from '../lessons/LessonPanel';
import { Charts } from './Charts';
import { CompareLegend } from './CompareLegend';
import { ControlsPanel } from './ControlsPanel';
import { EpisodeView } from './EpisodeView';
import { LoadedFileBanner, LoadFileError } from './ExportImport';
import {
  BackendFallbackNotice,
  DivergenceNotice,
  EngineSilenceNotice,
  LinkNotices,
  RunError,
} from './Messages';
import { StateMaps } from './StateMap';
import { PresetSummary, TopBar } from './TopBar';
import { useHashSync, usePlaygroundKeys } from './usePlaygroundEffects';

export function Playground() {
  useHashSync();
  usePlaygroundKeys();
  return (
    <div className="playground">
      <TopBar />
      <PresetSummary />
      <LoadedFileBanner />
      <LoadFileError />
      <LinkNotices />
      <RunError />
      <EngineSilenceNotice />
      <DivergenceNotice />
      <BackendFallbackNotice />
      <LessonPanel />
      <div className="playground-grid">
        <aside className="column column--controls" aria-label="Settings">
          <ControlsPanel />
        </aside>
        <section className="column column--views" aria-label="Environment and state-space map">
          <EpisodeView />
          <StateMaps />
        </section>
        <section className="column column--charts" aria-label="Per-iteration charts">
          <CompareLegend />
          <Charts />
        </section>
      </div>
    </div>
  );
}
