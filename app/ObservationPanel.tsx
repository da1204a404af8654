import { selectSpec, usePlayTabStore } from './playTabStore';

/** Where a value sits between finite bounds, 0…1; null when the space is unbounded there. */
function shareOfRange(value: number, low: number, high: number): number | null {
  if (!Number.isFinite(low) || !Number.isFinite(high) || high <= low) return null;
  return Math.min(1, Math.max(0, (value - low) / (high - low)));
}

export function ObservationPanel() {
  const spec = usePlayTabStore(selectSpec);
  const observation = usePlayTabStore((state) => state.snapshot.observation);
  return (
    <section className="panel" aria-labelledby="observation-heading">
      <h2 id="observation-heading">Observation</h2>
      <table className="observation-table" aria-labelledby="observation-heading">
        <thead>
          <tr>
            <th scope="col">name</th>
            <th scope="col" className="numeric">
              value
            </th>
            <th scope="col">
              <span className="visually-hidden">position within the observation bounds</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {spec.observationNames.map((name, index) => {
            const value = observation[index];
            const share = shareOfRange(
              value,
              spec.observationLow[index],
              spec.observationHigh[index],
            );
            return (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td className="numeric">{formatValue(value)}</td>
                <td className="range-cell" aria-hidden="true">
                  {share !== null && (
                    <span className="range-bar">
                      <span className="range-bar__marker" style={{ left: `${share * 100}%` }} />
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function formatValue(value: number): string {
  // A fixed width keeps the column from jittering as signs and digits change every frame.
  return (value < 0 ? '−' : '\u2007') + Math.abs(value).toFixed(4);
}
