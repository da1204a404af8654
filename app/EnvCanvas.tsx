import { useEffect, useRef } from 'react';
import type { ActionSpace } from '../src/envs/types';
import { ENV_INFO } from './envInfo';
import { prepareCanvas, useElementSize } from './playground/useCanvas';
import { rendererFor } from './renderers';
import { selectLastOutcome, selectParams, selectSnapshot, selectSpec, usePlayTabStore } from './playTabStore';

/** The last action as a share of the strongest push, so renderers can size their arrows. */
function pushShare(space: ActionSpace, action: number | null): number {
  if (action === null) return 0;
  if (space.kind === 'box') return action / Math.max(Math.abs(space.low), Math.abs(space.high));
  const middle = (space.n - 1) / 2;
  return middle === 0 ? 0 : (action - middle) / middle;
}

export function EnvCanvas() {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const { width, height } = useElementSize(canvasRef);
  const spec = usePlayTabStore(selectSpec);
  const params = usePlayTabStore(selectParams);
  const snapshot = usePlayTabStore(selectSnapshot);
  const lastOutcome = usePlayTabStore(selectLastOutcome);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (canvas === null || width === 0 || height === 0) return;
    const ctx = prepareCanvas(canvas, width, height);
    if (ctx === null) return;
    rendererFor(spec.id)({
      ctx,
      width,
      height,
      state: snapshot.state,
      params,
      spec,
      push: pushShare(spec.actionSpace, snapshot.lastAction),
    });
  }, [width, height, spec, params, snapshot]);

  const ended = snapshot.status !== 'running' && lastOutcome !== null;
  return (
    <div className="env-canvas">
      <canvas
        ref={canvasRef}
        role="img"
        aria-label={`${ENV_INFO[spec.id].title} (${spec.id}), animated`}
      />
      {ended && (
        <div className={`episode-banner episode-banner--${lastOutcome.status}`}>
          {lastOutcome.status === 'terminated' ? 'Terminated' : 'Truncated'}
          <span>
            {lastOutcome.status === 'terminated'
              ? (ENV_INFO[spec.id].terminatedMeans ?? '')
              : `time limit of ${spec.maxEpisodeSteps} steps`}
          </span>
        </div>
      )}
    </div>
  );
}
