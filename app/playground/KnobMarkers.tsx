/**
 * A chart's knob-change markers: a thin vertical rule between the last iteration run with the old
 * values and the first run with the new, drawn in the chart's own x scale (recharts' hook, as
 * SeriesPaths does); pointing at it shows what changed ("lr 0.001 → 0.003"), and it is named so
 * for assistive technology.
 */
import type { ReactElement } from 'react';
import { usePlotArea, useXAxisScale, ZIndexLayer } from 'recharts';
import type { ChartMarker } from './knobMarkers';

type Scale = (value: number) => number | undefined;

/**
 * Above recharts' lines (400), cursor (1100) and active dots (1200), below its labels (2000): the
 * rule is found by the pointer whether or not recharts draws the series (while pointed at it does).
 */
const MARKER_LAYER = 1500;

export function KnobMarkers({
  markers,
  onPoint,
}: {
  markers: readonly ChartMarker[];
  /** Told when the pointer comes onto a rule and leaves it (the chart hides its tooltip meanwhile). */
  onPoint: (pointed: boolean) => void;
}): ReactElement | null {
  const x = useXAxisScale() as Scale | undefined;
  const area = usePlotArea();
  if (x === undefined || area === undefined || markers.length === 0) return null;
  const top = area.y;
  const bottom = area.y + area.height;
  return (
    <ZIndexLayer zIndex={MARKER_LAYER}>
      <g className="knob-markers">
        {markers.map((marker) => {
          const at = x(marker.iteration + 0.5);
          if (at === undefined || !Number.isFinite(at)) return null;
          const label = `iteration ${marker.iteration + 1}: ${marker.text}`;
          // The label goes to whichever side of the rule has room for it.
          const leftward = at > area.x + area.width / 2;
          return (
            <g
              key={marker.iteration}
              className="knob-marker"
              role="img"
              aria-label={label}
              data-knob-change={marker.text}
              data-iteration={marker.iteration + 1}
              onPointerEnter={() => onPoint(true)}
              onPointerLeave={() => onPoint(false)}
            >
              <title>{label}</title>
              <rect
                className="knob-marker-hit"
                x={at - 5}
                y={top}
                width={10}
                height={bottom - top}
              />
              <line className="knob-marker-rule" x1={at} x2={at} y1={top} y2={bottom} />
              <text
                className="knob-marker-label"
                x={leftward ? at - 4 : at + 4}
                y={top + 10}
                textAnchor={leftward ? 'end' : 'start'}
              >
                {marker.text}
              </text>
            </g>
          );
        })}
      </g>
    </ZIndexLayer>
  );
}
