/** Pendulum-v1: a rod on a motor at the centre; θ = 0 points straight up. State [θ, θ̇]. */
import {
  PALETTE,
  drawDisc,
  drawLabel,
  drawRod,
  drawTorqueArrow,
  paintBackground,
  param,
  type Scene,
} from './scene';

export function renderPendulum(scene: Scene): void {
  const { ctx, width, height, state, params, push } = scene;
  const scenery = scene.layer !== 'bodies';
  paintBackground(scene);
  const length = param(params, 'l', 1);
  const scale = (Math.min(width, height) * 0.38) / length;
  const pivot: [number, number] = [width / 2, height / 2];
  const theta = state[0];
  // Gymnasium draws the rod turned by θ from upright, counter-clockwise.
  const bob: [number, number] = [
    pivot[0] - length * scale * Math.sin(theta),
    pivot[1] - length * scale * Math.cos(theta),
  ];

  const bobRadius = Math.max(9, scale * 0.11);
  if (scenery) {
    ctx.save();
    ctx.setLineDash([4, 6]);
    ctx.strokeStyle = PALETTE.faint;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(pivot[0], pivot[1], length * scale, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.restore();
    drawRod(
      ctx,
      [pivot[0], pivot[1] - length * scale - 14],
      [pivot[0], pivot[1] - length * scale - 4],
      3,
      PALETTE.goal,
    );
    // Beside the tick, clear of the bob when it is held upright.
    drawLabel(
      ctx,
      'upright',
      pivot[0] + bobRadius + 8,
      pivot[1] - length * scale - 12,
      PALETTE.goal,
    );

    drawTorqueArrow(ctx, pivot, scale * 0.28, push);
  }
  drawRod(ctx, pivot, bob, Math.max(8, scale * 0.1), PALETTE.body);
  drawDisc(ctx, bob, bobRadius, PALETTE.highlight, PALETTE.bodyDark);
  drawDisc(ctx, pivot, Math.max(5, scale * 0.045), PALETTE.ink);
}
