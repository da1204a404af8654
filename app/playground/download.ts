/**
 * Files out of the page: a Blob saved under a name, a canvas as PNG, and a recharts chart (an
 * SVG plus an HTML legend) redrawn on a canvas as PNG. Nothing here parses or renders input.
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
const LEGEND_HEIGHT = 22;
const PADDING = 8;

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

/**
 * A chart as PNG: its SVG serialised and drawn on a canvas at the screen's pixel ratio, with the
 * title above and the legend (HTML in recharts) redrawn below.
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

  const legend = [...figure.querySelectorAll<HTMLElement>('.recharts-legend-item')].map((item) => {
    const text = item.querySelector<HTMLElement>('.recharts-legend-item-text') ?? item;
    return { label: text.textContent ?? '', colour: getComputedStyle(text).color };
  });
  const dpr = window.devicePixelRatio || 1;
  const totalWidth = width + 2 * PADDING;
  const totalHeight = TITLE_HEIGHT + height + (legend.length > 0 ? LEGEND_HEIGHT : 0) + PADDING;
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(totalWidth * dpr);
  canvas.height = Math.round(totalHeight * dpr);
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('No 2-D canvas to draw the chart on.');
  ctx.scale(dpr, dpr);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, totalWidth, totalHeight);
  ctx.fillStyle = '#0f172a';
  ctx.font = `700 13px ${font}`;
  ctx.textBaseline = 'middle';
  ctx.fillText(title, PADDING, TITLE_HEIGHT / 2 + 2);
  ctx.drawImage(image, PADDING, TITLE_HEIGHT, width, height);

  ctx.font = `11px ${font}`;
  let x = PADDING;
  const y = TITLE_HEIGHT + height + LEGEND_HEIGHT / 2;
  for (const { label, colour } of legend) {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 14, y);
    ctx.stroke();
    ctx.fillStyle = colour;
    ctx.fillText(label, x + 18, y);
    x += 18 + ctx.measureText(label).width + 14;
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
