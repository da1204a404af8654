/**
 * Acrobot-v1: two links hanging from a fixed pivot, torque on the elbow only.
 * State [θ1, θ2, θ̇1, θ̇2]; θ1 = 0 hangs straight down, θ2 is the elbow angle relative to link 1.
 */
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

export function renderAcrobot(scene: Scene): void {
  const { ctx, width, height, state, params, push } = scene;
  const scenery = scene.layer !== 'bodies';
  paintBackground(scene);
  const link1 = param(params, 'LINK_LENGTH_1', 1);
  const link2 = param(params, 'LINK_LENGTH_2', 1);
  const reach = link1 + link2;
  const scale = (Math.min(width, height) * 0.45) / reach;
  const pivot: [number, number] = [width / 2, height / 2];
  const [theta1, theta2] = state;
  const elbow: [number, number] = [
    pivot[0] + link1 * scale * Math.sin(theta1),
    pivot[1] + link1 * scale * Math.cos(theta1),
  ];
  const tip: [number, number] = [
    elbow[0] + link2 * scale * Math.sin(theta1 + theta2),
    elbow[1] + link2 * scale * Math.cos(theta1 + theta2),
  ];

  // Gymnasium's goal is a fixed height, −cos θ1 − cos(θ1 + θ2) > 1, whatever the link lengths.
  const goalY = pivot[1] - 1 * scale;
  if (scenery) {
    ctx.save();
    ctx.setLineDash([8, 6]);
    ctx.strokeStyle = PALETTE.goal;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(16, goalY);
    ctx.lineTo(width - 16, goalY);
    ctx.stroke();
    ctx.restore();
    // At the far right: the arm never reaches beyond its circle, so the label stays readable.
    drawLabel(ctx, 'goal: tip above this line', width - 16, goalY - 12, PALETTE.goal, 'right');

    ctx.save();
    ctx.setLineDash([4, 6]);
    ctx.strokeStyle = PALETTE.faint;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(pivot[0], pivot[1], reach * scale, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.restore();
  }

  const thickness = Math.max(8, scale * 0.12);
  drawRod(ctx, pivot, elbow, thickness, PALETTE.body);
  drawRod(ctx, elbow, tip, thickness, PALETTE.secondBody);
  if (scenery) drawTorqueArrow(ctx, elbow, scale * 0.3, push);
  drawDisc(ctx, pivot, thickness * 0.6, PALETTE.ink);
  drawDisc(ctx, elbow, thickness * 0.55, PALETTE.highlight, PALETTE.ink);
  drawDisc(ctx, tip, thickness * 0.5, PALETTE.highlight);
}
