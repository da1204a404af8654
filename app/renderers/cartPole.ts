/** CartPole-v1: a cart on a track with a hinged pole. State [x, ẋ, θ, θ̇]; θ > 0 leans right. */
import {
  PALETTE,
  drawDisc,
  drawRod,
  drawStraightArrow,
  paintBackground,
  param,
  type Scene,
} from './scene';

export function renderCartPole(scene: Scene): void {
  const { ctx, width, height, state, params, push } = scene;
  const scenery = scene.layer !== 'bodies';
  paintBackground(scene);
  const trackHalfWidth = param(params, 'x_threshold', 2.4);
  const halfPoleLength = param(params, 'length', 0.5);
  const failAngle = param(params, 'theta_threshold_radians', (12 * Math.PI) / 180);
  // Fit the whole track across and the upright pole above it.
  const scale = Math.min(
    (width * 0.9) / (2 * trackHalfWidth),
    (height * 0.62) / (2 * halfPoleLength + 0.3),
  );
  const trackY = height * 0.74;
  const toScreenX = (x: number) => width / 2 + x * scale;

  const cartWidth = 0.4 * scale;
  const cartHeight = 0.24 * scale;
  const [x, , theta] = state;
  const cartX = toScreenX(x);
  const hinge: [number, number] = [cartX, trackY - cartHeight * 0.75];

  const poleReach = 2 * halfPoleLength * scale;
  if (scenery) {
    ctx.fillStyle = PALETTE.ground;
    ctx.fillRect(0, trackY + cartHeight * 0.25, width, height - trackY);
    drawRod(
      ctx,
      [toScreenX(-trackHalfWidth), trackY],
      [toScreenX(trackHalfWidth), trackY],
      3,
      PALETTE.groundEdge,
    );
    for (const end of [-trackHalfWidth, trackHalfWidth]) {
      drawRod(ctx, [toScreenX(end), trackY - 12], [toScreenX(end), trackY + 6], 4, PALETTE.danger);
    }

    // The wedge of angles the pole may take before the episode terminates.
    ctx.save();
    ctx.fillStyle = 'rgba(22, 163, 74, 0.08)';
    ctx.beginPath();
    ctx.moveTo(hinge[0], hinge[1]);
    ctx.arc(
      hinge[0],
      hinge[1],
      poleReach * 1.08,
      -Math.PI / 2 - failAngle,
      -Math.PI / 2 + failAngle,
    );
    ctx.closePath();
    ctx.fill();
    ctx.restore();
  }

  ctx.save();
  ctx.fillStyle = PALETTE.bodyDark;
  roundedRect(ctx, cartX - cartWidth / 2, trackY - cartHeight, cartWidth, cartHeight, 6);
  ctx.fill();
  ctx.restore();
  drawDisc(ctx, [cartX - cartWidth * 0.3, trackY], cartHeight * 0.22, PALETTE.ink);
  drawDisc(ctx, [cartX + cartWidth * 0.3, trackY], cartHeight * 0.22, PALETTE.ink);

  const tip: [number, number] = [
    hinge[0] + poleReach * Math.sin(theta),
    hinge[1] - poleReach * Math.cos(theta),
  ];
  drawRod(ctx, hinge, tip, Math.max(6, 0.08 * scale), PALETTE.highlight);
  drawDisc(ctx, hinge, Math.max(4, 0.04 * scale), PALETTE.ink);

  if (scenery && push !== 0) {
    const side = push > 0 ? -1 : 1;
    const start: [number, number] = [cartX + side * (cartWidth / 2 + 40), trackY - cartHeight / 2];
    drawStraightArrow(ctx, start, push * 34, 0);
  }
}

function roundedRect(
  ctx: CanvasRenderingContext2D,
  x: number,
  y: number,
  w: number,
  h: number,
  r: number,
): void {
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, r);
}
