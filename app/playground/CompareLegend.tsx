/**
 * Which line is which config, once, above the charts: each compared config's colour, letter and
 * settings, how many seeds it runs on, and — in its own entry, so the others read on — why it
 * failed if it did.
 */
import { useShownVariants } from './shownVariants';

export function CompareLegend() {
  const variants = useShownVariants();
  const seeds = variants[0]?.seeds ?? 1;
  if (variants.length <= 1 && seeds <= 1 && variants.every((v) => v.failures.length === 0)) {
    return null;
  }
  return (
    <section className="card compare-legend" aria-label="Compared configs">
      <ul>
        {variants.map((variant) => (
          <li key={variant.index} data-variant={variant.letter}>
            <span className="variant-letter" style={{ background: variant.colour }}>
              {variant.letter}
            </span>
            <span className="variant-label">
              {variant.label === '' ? 'this config' : variant.label}
              {seeds > 1 && !variant.refused && (
                <span className="muted"> · mean of {seeds} seeds</span>
              )}
            </span>
            {variant.failures.length > 0 && (
              <span className="variant-error" role="status">
                {variant.refused
                  ? 'did not run: '
                  : `seed ${variant.failures.map((f) => f.seed).join(', ')} failed: `}
                {variant.failures[0].error.message}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
