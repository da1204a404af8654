/**
 * The figures a lesson step quotes, read from the run on screen: the latest iteration's value of
 * each compared config (its mean over seeds when there are several). Before the first report
 * there is nothing to quote, and the panel says so instead of showing a number.
 */
import { formatValue } from '../playground/knobs';
import { useShownVariants } from '../playground/shownVariants';
import type { LiveFigure } from './lesson';

export function LiveFigures({ figures }: { figures: readonly LiveFigure[] }) {
  const variants = useShownVariants();
  const comparing = variants.length > 1;
  const latest = variants.map((variant) => variant.bands.at(-1) ?? null);
  const iteration = latest.find((bands) => bands !== null)?.iteration;
  return (
    <div className="lesson-figures" aria-label="Figures from the run on screen">
      <p className="lesson-figures-head">
        {iteration === undefined
          ? 'From the run on screen — nothing yet: press Play.'
          : `From the run on screen, iteration ${iteration + 1}${variants[0].seeds > 1 ? ` (mean of ${variants[0].seeds} seeds)` : ''}:`}
      </p>
      {iteration !== undefined && (
        <dl>
          {figures.map((figure) => (
            <div key={figure.series} data-figure={figure.series}>
              <dt>{figure.label}</dt>
              <dd>
                {variants.map((variant, index) => {
                  const band = latest[index]?.series[figure.series] ?? null;
                  return (
                    <span key={variant.index} className="lesson-figure-value">
                      {comparing && (
                        <span className="variant-letter" style={{ background: variant.colour }}>
                          {variant.letter}
                        </span>
                      )}
                      {band === null ? '–' : formatValue(Number(band.mean.toPrecision(3)))}
                    </span>
                  );
                })}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
