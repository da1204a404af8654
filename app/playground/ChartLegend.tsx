/**
 * A chart's legend, in HTML: line or area swatches with labels, and a note (what the shading
 * is). Each item carries its label, colour and style as data attributes, so the PNG export
 * (download.ts) redraws exactly this legend under the chart.
 */

export type LegendStyle = 'solid' | 'dashed' | 'dotted' | 'area';

export interface LegendItem {
  readonly label: string;
  readonly colour: string;
  readonly style: LegendStyle;
  /** Longer text on hover, e.g. why a compared config failed. */
  readonly title?: string;
}

export const DASH_ARRAYS: Record<Exclude<LegendStyle, 'area'>, string | undefined> = {
  solid: undefined,
  dashed: '5 4',
  dotted: '1.5 3',
};

function Swatch({ colour, style }: { colour: string; style: LegendStyle }) {
  return (
    <svg width={18} height={10} aria-hidden="true" focusable={false}>
      {style === 'area' ? (
        <rect x={0} y={1} width={18} height={8} rx={2} fill={colour} opacity={0.7} />
      ) : (
        <line
          x1={0}
          y1={5}
          x2={18}
          y2={5}
          stroke={colour}
          strokeWidth={2.2}
          strokeDasharray={DASH_ARRAYS[style]}
        />
      )}
    </svg>
  );
}

export function ChartLegend({ items, note }: { items: readonly LegendItem[]; note?: string }) {
  return (
    <ul className="chart-legend">
      {items.map((item) => (
        <li
          key={`${item.label}-${item.style}`}
          data-legend-item=""
          data-label={item.label}
          data-colour={item.colour}
          data-style={item.style}
          title={item.title}
        >
          <Swatch colour={item.colour} style={item.style} />
          <span>{item.label}</span>
        </li>
      ))}
      {note !== undefined && (
        <li className="chart-legend-note" data-legend-note={note}>
          {note}
        </li>
      )}
    </ul>
  );
}
