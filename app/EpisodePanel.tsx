import type { EnvId } from '../src/envs/types';
import { ENV_INFO } from './envInfo';
import { selectLastOutcome, selectSnapshot, selectSpec, usePlayTabStore } from './playTabStore';

export function EpisodePanel() {
  const spec = usePlayTabStore(selectSpec);
  const snapshot = usePlayTabStore(selectSnapshot);
  const lastOutcome = usePlayTabStore(selectLastOutcome);
  return (
    <section className="panel" aria-labelledby="episode-heading">
      <div className="panel-heading">
        <h2 id="episode-heading">Episode {snapshot.episode}</h2>
        <span className={`status status--${snapshot.status}`} role="status">
          {snapshot.status}
        </span>
      </div>
      <dl className="stats">
        <div>
          <dt>Step</dt>
          <dd>
            {snapshot.steps}
            <small> / {spec.maxEpisodeSteps}</small>
          </dd>
        </div>
        <div>
          <dt>Return</dt>
          <dd>{snapshot.episodeReturn.toFixed(2)}</dd>
        </div>
        <div>
          <dt>Reward</dt>
          <dd>{snapshot.lastReward === null ? '–' : snapshot.lastReward.toFixed(3)}</dd>
        </div>
      </dl>
      <p className="last-outcome" aria-live="polite">
        {lastOutcome === null
          ? endingRule(spec.id)
          : `Episode ${lastOutcome.episode} ${lastOutcome.status} after ${lastOutcome.steps} steps with return ${lastOutcome.episodeReturn.toFixed(2)}.`}
      </p>
    </section>
  );
}

function endingRule(envId: EnvId): string {
  const { terminatedMeans } = ENV_INFO[envId];
  if (terminatedMeans === null) return 'Episodes end only at the time limit (truncated).';
  return `Episodes end when ${terminatedMeans} (terminated) or at the time limit (truncated).`;
}
