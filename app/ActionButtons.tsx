import { DIRECTIONS, describeDirection, type Direction } from './actions';
import { ENV_INFO } from './envInfo';
import { selectDirection, selectDriver, selectSpec, usePlayTabStore } from './playTabStore';

/** On-screen twins of the arrow keys; choosing one hands the env to the keyboard driver. */
export function ActionButtons() {
  const spec = usePlayTabStore(selectSpec);
  const driver = usePlayTabStore(selectDriver);
  const direction = usePlayTabStore(selectDirection);
  const setDriver = usePlayTabStore((state) => state.setDriver);
  const setDirection = usePlayTabStore((state) => state.setDirection);
  const info = ENV_INFO[spec.id];
  const labels: Readonly<Record<Direction, string>> = {
    left: info.leftLabel,
    none: 'No push',
    right: info.rightLabel,
  };
  const glyphs: Readonly<Record<Direction, string>> = { left: '◀', none: '■', right: '▶' };

  const choose = (chosen: Direction) => {
    if (driver !== 'keyboard') setDriver('keyboard');
    setDirection(chosen);
  };

  return (
    <div className="action-buttons" role="group" aria-label="Action">
      {DIRECTIONS.map((candidate) => (
        <button
          key={candidate}
          type="button"
          className="button action-button"
          aria-pressed={driver === 'keyboard' && direction === candidate}
          onClick={() => choose(candidate)}
        >
          <span aria-hidden="true" className="action-button__glyph">
            {glyphs[candidate]}
          </span>{' '}
          {labels[candidate]} <small>{describeDirection(spec.actionSpace, candidate)}</small>
        </button>
      ))}
    </div>
  );
}
