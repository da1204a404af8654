/** What every env renderer receives, and the drawing pieces they share. */
import type { EnvSpec, PhysicalParams } from '../../src/envs/types';

export interface Scene {
  readonly ctx: CanvasRenderingContext2D;
  /** Size in CSS pixels; the context is already scaled for the device pixel ratio. */
  readonly width: number;
  readonly height: number;
  /** Internal state in `spec.stateNames` order (Gymnasium's `env.unwrapped.state`). */
  readonly state: readonly number[];
  readonly params: PhysicalParams;
  readonly spec: EnvSpec;
  /** The last action as a share of the strongest push, −1…+1 (0: none yet, or no push). */
  readonly push: number;
  /**
   * 'scene' (the default) draws everything; 'bodies' only the moving parts, with no background,
   * scenery or push arrow: an overlay such as the model's ghost drawn over the real frame.
   */
  readonly layer?: 'scene' | 'bodies';
}

export type EnvRenderer = (scene: Scene) => void;

export const PALETTE = {
  skyTop: '#f8fafc',
  skyBottom: '#e6ecf5',
  ink: '#0f172a',
  muted: '#94a3b8',
  faint: 'rgba(100, 116, 139, 0.18)',
  body: '#4f46e5',
  bodyDark: '#3730a3',
  secondBody: '#7c3aed',
  highlight: '#f59e0b',
  goal: '#16a34a',
  danger: '#dc2626',
  ground: '#cbd5e1',
  groundEdge: '#64748b',
  push: '#ea580c',
} as const;

/** A physical parameter by Gymnasium's name, or Gymnasium's default if this env lacks it. */
export function param(params: PhysicalParams, name: string, fallback: number): number {
  const value = params[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function paintBackground({ ctx, width, height, layer }: Scene): void {
  if (layer === 'bodies') return;
  const sky = ctx.createLinearGradient(0, 0, 0, height);
  sky.addColorStop(0, PALETTE.skyTop);
  sky.addColorStop(1, PALETTE.skyBottom);
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, width, height);
}

export function drawRod(
  ctx: CanvasRenderingContext2D,
  from: readonly [number, number],
  to: readonly [number, number],
  thickness: number,
  color: string,
): void {
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = thickness;
  ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.moveTo(from[0], from[1]);
  ctx.lineTo(to[0], to[1]);
  ctx.stroke();
  ctx.restore();
}

export function drawDisc(
  ctx: CanvasRenderingContext2D,
  [x, y]: readonly [number, number],
  radius: number,
  fill: string,
  stroke?: string,
): void {
  ctx.save();
  ctx.beginPath();
  ctx.arc(x, y, radius, 0, 2 * Math.PI);
  ctx.fillStyle = fill;
  ctx.fill();
  if (stroke !== undefined) {
    ctx.lineWidth = Math.max(1.5, radius * 0.25);
    ctx.strokeStyle = stroke;
    ctx.stroke();
  }
  ctx.restore();
}

/** A straight arrow from `from` along `(dx, dy)`: the push applied to a cart or car. */
export function drawStraightArrow(
  ctx: CanvasRenderingContext2D,
  from: readonly [number, number],
  dx: number,
  dy: number,
  color: string = PALETTE.push,
): void {
  const length = Math.hypot(dx, dy);
  if (length < 1) return;
  const head = Math.min(12, length * 0.6);
  const angle = Math.atan2(dy, dx);
  const tip: [number, number] = [from[0] + dx, from[1] + dy];
  ctx.save();
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 4;
  ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.moveTo(from[0], from[1]);
  ctx.lineTo(tip[0] - Math.cos(angle) * head * 0.6, tip[1] - Math.sin(angle) * head * 0.6);
  ctx.stroke();
  arrowHead(ctx, tip, angle, head);
  ctx.restore();
}

/**
 * A curved arrow around a joint for a torque. Positive torque turns the joint counter-clockwise
 * on screen (in every env here, a positive torque grows the angle, and angles grow that way).
 */
export function drawTorqueArrow(
  ctx: CanvasRenderingContext2D,
  [cx, cy]: readonly [number, number],
  radius: number,
  push: number,
  color: string = PALETTE.push,
): void {
  if (Math.abs(push) < 0.02) return;
  const span = Math.max(0.25, Math.abs(push)) * (Math.PI * 0.75);
  const start = -Math.PI / 2 + (push > 0 ? span / 2 : -span / 2);
  const end = push > 0 ? start - span : start + span;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 4;
  ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.arc(cx, cy, radius, start, end, push > 0);
  ctx.stroke();
  const tip: [number, number] = [cx + radius * Math.cos(end), cy + radius * Math.sin(end)];
  // The tangent at the arc's end, turned the way the arc runs.
  const tangent = end + (push > 0 ? -Math.PI / 2 : Math.PI / 2);
  arrowHead(ctx, tip, tangent, 12);
  ctx.restore();
}

function arrowHead(
  ctx: CanvasRenderingContext2D,
  [x, y]: readonly [number, number],
  angle: number,
  size: number,
): void {
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.lineTo(x - size * Math.cos(angle - 0.45), y - size * Math.sin(angle - 0.45));
  ctx.lineTo(x - size * Math.cos(angle + 0.45), y - size * Math.sin(angle + 0.45));
  ctx.closePath();
  ctx.fill();
}

export function drawLabel(
  ctx: CanvasRenderingContext2D,
  text: string,
  x: number,
  y: number,
  color: string = PALETTE.groundEdge,
  align: CanvasTextAlign = 'left',
): void {
  ctx.save();
  ctx.font = '600 12px ui-sans-serif, system-ui, sans-serif';
  ctx.fillStyle = color;
  ctx.textAlign = align;
  ctx.textBaseline = 'middle';
  ctx.fillText(text, x, y);
  ctx.restore();
}
