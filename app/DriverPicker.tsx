import { releaseFocusAfterPointerChoice } from './focus';
import { selectDriver, usePlayTabStore, type Driver } from './playTabStore';

const DRIVER_LABELS: Readonly<Record<Driver, string>> = {
  controller: 'Controller',
  keyboard: 'Keyboard',
  random: 'Random',
};

const DRIVER_EXPLANATIONS: Readonly<Record<Driver, string>> = {
  controller: 'A hand-written controller for this env (energy pumping, or a PD rule)',
  keyboard: 'The arrow keys or the buttons under the picture',
  random: 'Uniformly random actions',
};

export function DriverPicker() {
  const driver = usePlayTabStore(selectDriver);
  const setDriver = usePlayTabStore((state) => state.setDriver);
  return (
    <fieldset className="driver-picker">
      <legend>Driven by</legend>
      {(Object.keys(DRIVER_LABELS) as Driver[]).map((candidate) => (
        <label
          key={candidate}
          className={candidate === driver ? 'chip chip--on' : 'chip'}
          title={DRIVER_EXPLANATIONS[candidate]}
        >
          <input
            type="radio"
            name="driver"
            value={candidate}
            checked={candidate === driver}
            onChange={(event) => {
              setDriver(candidate);
              releaseFocusAfterPointerChoice(event.target);
            }}
          />
          {DRIVER_LABELS[candidate]}
        </label>
      ))}
    </fieldset>
  );
}
