/**
 * The latest evaluation episode, replayed: the real world drawn solid and, on top, the model's
 * open-loop prediction from the same start under the same actions drawn as a translucent ghost.
 * Where the ghost drifts from the body, the model's rollout has left reality.
 */
import { useEffect, useRef } from 'react';
import { getEnv } from '../../src/envs';
import type { EnvId } from '../../src/envs/types';
import { ENV_INFO } from '../envInfo';
import { rendererFor } from '../renderers';
import { pushShare, stateFromObservation } from './observationState';
import { PngButton } from './ExportImport';
import { selectLatestReport, selectShownConfig, useLabStore } from './store';
import { prepareCanvas, useElementSize } from './useCanvas';

const FRAMES_PER_SECOND = 30;
const GHOST_ALPHA = 0.38;
/** The last frame stays a moment before the replay loops. */
const HOLD_FRAMES = 20;
const FRAME_LABEL_FONT = '11px ui-monospace, SFMono-Regular, Menlo, monospace';
const FRAME_LABEL_COLOUR = '#64748b';

/**
 * The frame counter, in the canvas's top left corner (free in every env's drawing). It changes
 * 30 times a second: as page text it cost a style, layout and paint pass each time (and a hit
 * test for the pointer), about an eighth of the page's main-thread work while training.
 */
function drawFrameLabel(ctx: CanvasRenderingContext2D, text: string) {
  ctx.save();
  ctx.font = FRAME_LABEL_FONT;
  ctx.fillStyle = FRAME_LABEL_COLOUR;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText(text, 8, 8);
  ctx.restore();
}

export function EpisodeView() {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const { width, height } = useElementSize(canvasRef);
  const report = useLabStore(selectLatestReport);
  const envId = useLabStore((state) => selectShownConfig(state).env.id) as EnvId;
  const realParams = useLabStore((state) => selectShownConfig(state).env.realParams);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (canvas === null || width === 0 || height === 0) return;
    const ctx = prepareCanvas(canvas, width, height);
    if (ctx === null) return;
    const spec = getEnv(envId).spec;
    const params = { ...spec.defaultParams, ...realParams };
    const render = rendererFor(envId);
    const episode = report?.episode;
    const frameCount = episode?.real.length ?? 0;

    const draw = (t: number) => {
      if (episode === undefined || frameCount === 0) {
        const start = spec.stateNames.map(() => 0);
        render({ ctx, width, height, state: start, params, spec, push: 0 });
        return;
      }
      const push = pushShare(spec.actionSpace, episode.actions[t]);
      render({
        ctx,
        width,
        height,
        state: stateFromObservation(envId, episode.real[t]),
        params,
        spec,
        push,
      });
      const ghost = episode.ghost[t];
      if (ghost !== undefined && ghost.every(Number.isFinite)) {
        ctx.save();
        ctx.globalAlpha = GHOST_ALPHA;
        render({
          ctx,
          width,
          height,
          state: stateFromObservation(envId, ghost),
          params,
          spec,
          push: 0,
          layer: 'bodies',
        });
        ctx.restore();
      }
      drawFrameLabel(ctx, `frame ${t + 1} / ${frameCount}`);
    };

    draw(0);
    if (frameCount <= 1) return;
    let frame = 0;
    let last = performance.now();
    let handle = requestAnimationFrame(function tick(now) {
      if (now - last >= 1000 / FRAMES_PER_SECOND) {
        last = now;
        frame = (frame + 1) % (frameCount + HOLD_FRAMES);
        if (frame < frameCount) draw(frame);
      }
      handle = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(handle);
  }, [report, envId, realParams, width, height]);

  const title = ENV_INFO[envId].title;
  return (
    <figure className="card episode-view">
      <figcaption className="card-title">
        <span>The world and the model’s ghost</span>
        <PngButton title="The world and the model’s ghost" kind="canvas" />
      </figcaption>
      <div className="episode-canvas">
        <canvas
          ref={canvasRef}
          role="img"
          aria-label={
            report === null
              ? `${title}: no episode yet`
              : `${title}: iteration ${report.iteration + 1}'s evaluation episode, real world solid, model prediction translucent`
          }
        />
        {report === null && (
          <p className="canvas-empty">
            Press play: each iteration’s evaluation episode is replayed here.
          </p>
        )}
      </div>
      <p className="legend">
        <span className="swatch swatch--solid" /> real world
        <span className="swatch swatch--ghost" /> model, open loop under the same actions
      </p>
    </figure>
  );
}
