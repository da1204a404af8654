/** MountainCar-v0 and MountainCarContinuous-v0: a car in a valley, height sin(3x). State [x, v]. */
import {
  PALETTE,
  drawDisc,
  drawLabel,
  drawStraightArrow,
  paintBackground,
  param,
  type Scene,
} from './scene';

/** Gymnasium's hill: the height of the track at position x. */
function hillHeight(x: number): number {
  return Math.sin(3 * x) * 0.45 + 0.55;
}

export function renderMountainCar(scene: Scene): void {
  const { ctx, width, height, state, params, push } = scene;
  const scenery = scene.layer !== 'bodies';
  paintBackground(scene);
  const minPosition = param(params, 'min_position', -1.2);
  const maxPosition = param(params, 'max_position', 0.6);
  const goalPosition = param(params, 'goal_position', 0.5);
  const worldWidth = maxPosition - minPosition;
  const scale = Math.min((width * 0.92) / worldWidth, (height * 0.72) / 1.05);
  const left = (width - worldWidth * scale) / 2;
  const bottom = height * 0.9;
  const toScreen = (x: number, y: number): [number, number] => [
    left + (x - minPosition) * scale,
    bottom - y * scale,
  ];

  if (scenery) {
    const hill = ctx.createLinearGradient(0, bottom - scale, 0, height);
    hill.addColorStop(0, '#a7c4a0');
    hill.addColorStop(1, '#6b8f66');
    // The track between the walls Gymnasium clips at, extended flat to the canvas edges.
    ctx.beginPath();
    ctx.moveTo(0, height);
    ctx.lineTo(0, toScreen(minPosition, hillHeight(minPosition))[1]);
    for (let i = 0; i <= 120; i++) {
      const x = minPosition + (worldWidth * i) / 120;
      ctx.lineTo(...toScreen(x, hillHeight(x)));
    }
    ctx.lineTo(width, toScreen(maxPosition, hillHeight(maxPosition))[1]);
    ctx.lineTo(width, height);
    ctx.closePath();
    ctx.fillStyle = hill;
    ctx.fill();
    ctx.strokeStyle = '#4d6b49';
    ctx.lineWidth = 3;
    ctx.stroke();

    const flagBase = toScreen(goalPosition, hillHeight(goalPosition));
    const flagTop: [number, number] = [flagBase[0], flagBase[1] - 0.16 * scale];
    ctx.strokeStyle = PALETTE.ink;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(...flagBase);
    ctx.lineTo(...flagTop);
    ctx.stroke();
    ctx.fillStyle = PALETTE.highlight;
    ctx.beginPath();
    ctx.moveTo(...flagTop);
    ctx.lineTo(flagTop[0] + 0.08 * scale, flagTop[1] + 0.025 * scale);
    ctx.lineTo(flagTop[0], flagTop[1] + 0.05 * scale);
    ctx.closePath();
    ctx.fill();
    drawLabel(ctx, 'goal', flagTop[0], flagTop[1] - 10, PALETTE.goal, 'center');
  }

  const position = state[0];
  const slope = Math.atan(3 * 0.45 * Math.cos(3 * position));
  const [carX, carY] = toScreen(position, hillHeight(position));
  const carWidth = Math.max(28, 0.13 * scale);
  const carHeight = carWidth * 0.45;
  const wheel = carHeight * 0.38;
  ctx.save();
  ctx.translate(carX, carY);
  // Screen y points down, so the uphill angle turns the other way.
  ctx.rotate(-slope);
  ctx.fillStyle = PALETTE.body;
  ctx.beginPath();
  ctx.roundRect(-carWidth / 2, -carHeight - wheel, carWidth, carHeight, 5);
  ctx.fill();
  ctx.fillStyle = 'rgba(255, 255, 255, 0.75)';
  ctx.beginPath();
  ctx.roundRect(carWidth * 0.05, -carHeight - wheel + 3, carWidth * 0.3, carHeight * 0.45, 3);
  ctx.fill();
  drawDisc(ctx, [-carWidth * 0.3, -wheel], wheel, PALETTE.ink);
  drawDisc(ctx, [carWidth * 0.3, -wheel], wheel, PALETTE.ink);
  if (scenery && push !== 0) {
    const side = push > 0 ? -1 : 1;
    drawStraightArrow(ctx, [side * (carWidth / 2 + 34), -carHeight / 2 - wheel], push * 28, 0);
  }
  ctx.restore();
}
