/**
 * Files out of the page: a Blob saved under a name, a canvas as PNG, and a recharts chart (an
 * SVG plus our HTML legend) redrawn on a canvas as PNG. Nothing here parses or renders input.
 */

/** Saves the blob as a download named `name`. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by then; the URL only holds memory.
  window.setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export function canvasToPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => {
    canvas.toBlob(
      (blob) =>
        blob === null
          ? reject(new Error('The canvas could not be encoded as PNG.'))
          : resolve(blob),
      'image/png',
    );
  });
}

const TITLE_HEIGHT = 24;

/** A canvas as PNG under a title strip, so a figure saved alone still says what it shows. */
export function titledCanvasToPng(source: HTMLCanvasElement, title: string): Promise<Blob> {
  const canvas = document.createElement('canvas');
  // The source is already at the screen's pixel ratio; the strip is scaled to match.
  const scale = source.width / Math.max(1, source.getBoundingClientRect().width || source.width);
  const strip = Math.round(TITLE_HEIGHT * scale);
  canvas.width = source.width;
  canvas.height = source.height + strip;
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('No 2-D canvas to draw the figure on.');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#0f172a';
  ctx.font = `700 ${Math.round(13 * scale)}px ${getComputedStyle(source).fontFamily}`;
  ctx.textBaseline = 'middle';
  ctx.fillText(title, Math.round(8 * scale), strip / 2 + scale, canvas.width - 16 * scale);
  ctx.drawImage(source, 0, strip);
  return canvasToPng(canvas);
}
const LEGEND_LINE_HEIGHT = 20;
const PADDING = 8;
const SWATCH_WIDTH = 18;
const DASHES: Readonly<Record<string, number[]>> = { solid: [], dashed: [5, 4], dotted: [1.5, 3] };

/** The chart's drawing: recharts' largest SVG in the figure (legend icons are SVGs too). */
function chartSvg(figure: HTMLElement): SVGSVGElement | null {
  let best: SVGSVGElement | null = null;
  let bestArea = 0;
  for (const svg of figure.querySelectorAll<SVGSVGElement>('svg.recharts-surface')) {
    const { width, height } = svg.getBoundingClientRect();
    if (width * height > bestArea) {
      best = svg;
      bestArea = width * height;
    }
  }
  return best;
}

function loadImage(source: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('The chart could not be drawn as an image.'));
    image.src = source;
  });
}

interface LegendEntry {
  readonly label: string;
  readonly colour: string;
  readonly style: string;
}

/** The figure's legend (ChartLegend.tsx), read from the data attributes it renders. */
function legendEntries(figure: HTMLElement): { entries: LegendEntry[]; note: string | null } {
  const entries = [...figure.querySelectorAll<HTMLElement>('[data-legend-item]')].map((item) => ({
    label: item.dataset.label ?? '',
    colour: item.dataset.colour ?? '#0f172a',
    style: item.dataset.style ?? 'solid',
  }));
  const note = figure.querySelector<HTMLElement>('[data-legend-note]')?.dataset.legendNote ?? null;
  return { entries, note };
}

/** The text, cut with an ellipsis if it is wider than `maxWidth`. */
function fitText(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text;
  let kept = text;
  while (kept.length > 1 && ctx.measureText(`${kept}…`).width > maxWidth) kept = kept.slice(0, -1);
  return `${kept}…`;
}

/** Legend entries laid out in lines no wider than `width`: x, line and the label as it fits. */
function layoutLegend(
  ctx: CanvasRenderingContext2D,
  entries: readonly LegendEntry[],
  width: number,
): { placed: { x: number; line: number; label: string }[]; lines: number } {
  const placed: { x: number; line: number; label: string }[] = [];
  const swatchAndGap = SWATCH_WIDTH + 4;
  let x = PADDING;
  let line = 0;
  for (const entry of entries) {
    const label = fitText(ctx, entry.label, width - 2 * PADDING - swatchAndGap);
    const itemWidth = swatchAndGap + ctx.measureText(label).width + 14;
    if (x > PADDING && x + itemWidth > width - PADDING) {
      x = PADDING;
      line++;
    }
    placed.push({ x, line, label });
    x += itemWidth;
  }
  return { placed, lines: entries.length === 0 ? 0 : line + 1 };
}

/**
 * A chart as PNG: its SVG serialised and drawn on a canvas at the screen's pixel ratio, with the
 * title above and the legend (HTML) redrawn below.
 */
export async function chartToPng(figure: HTMLElement, title: string): Promise<Blob> {
  const svg = chartSvg(figure);
  if (svg === null) throw new Error('This chart has nothing drawn yet.');
  const { width, height } = svg.getBoundingClientRect();
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  const font = getComputedStyle(svg).fontFamily;
  clone.style.fontFamily = font;
  const source = new XMLSerializer().serializeToString(clone);
  const image = await loadImage(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(source)}`);

  const { entries, note } = legendEntries(figure);
  const dpr = window.devicePixelRatio || 1;
  const totalWidth = width + 2 * PADDING;
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('No 2-D canvas to draw the chart on.');
  ctx.font = `11px ${font}`;
  const layout = layoutLegend(ctx, entries, totalWidth);
  const legendLines = layout.lines + (note === null ? 0 : 1);
  const totalHeight = TITLE_HEIGHT + height + legendLines * LEGEND_LINE_HEIGHT + PADDING;
  // Resizing a canvas resets its context, so the size is set once the legend is measured.
  canvas.width = Math.round(totalWidth * dpr);
  canvas.height = Math.round(totalHeight * dpr);
  ctx.scale(dpr, dpr);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, totalWidth, totalHeight);
  ctx.fillStyle = '#0f172a';
  ctx.font = `700 13px ${font}`;
  ctx.textBaseline = 'middle';
  ctx.fillText(title, PADDING, TITLE_HEIGHT / 2 + 2);
  ctx.drawImage(image, PADDING, TITLE_HEIGHT, width, height);

  ctx.font = `11px ${font}`;
  const legendTop = TITLE_HEIGHT + height + LEGEND_LINE_HEIGHT / 2;
  entries.forEach(({ colour, style }, index) => {
    const { x, line, label } = layout.placed[index];
    const y = legendTop + line * LEGEND_LINE_HEIGHT;
    if (style === 'area') {
      ctx.globalAlpha = 0.7;
      ctx.fillStyle = colour;
      ctx.fillRect(x, y - 4, SWATCH_WIDTH, 8);
      ctx.globalAlpha = 1;
    } else {
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      ctx.setLineDash(DASHES[style] ?? []);
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + SWATCH_WIDTH, y);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.fillStyle = '#334155';
    ctx.fillText(label, x + SWATCH_WIDTH + 4, y);
  });
  if (note !== null) {
    ctx.fillStyle = '#64748b';
    const shown = fitText(ctx, note, totalWidth - 2 * PADDING);
    ctx.fillText(shown, PADDING, legendTop + layout.lines * LEGEND_LINE_HEIGHT);
  }
  return canvasToPng(canvas);
}

/** A file name part from free text: letters, digits and dashes only. */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'figure'
  );
}
