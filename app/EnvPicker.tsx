import { useId } from 'react';
import { ENV_IDS } from '../src/envs';
import type { EnvId } from '../src/envs/types';
import { ENV_INFO } from './envInfo';
import { releaseFocusAfterPointerChoice } from './focus';
import { selectEnvId, usePlayTabStore } from './playTabStore';

export function EnvPicker() {
  const id = useId();
  const envId = usePlayTabStore(selectEnvId);
  const selectEnv = usePlayTabStore((state) => state.selectEnv);
  return (
    <div className="field">
      <label htmlFor={id}>Environment</label>
      <select
        id={id}
        value={envId}
        onChange={(event) => {
          selectEnv(event.target.value as EnvId);
          releaseFocusAfterPointerChoice(event.target);
        }}
      >
        {ENV_IDS.map((candidate) => (
          <option key={candidate} value={candidate}>
            {ENV_INFO[candidate].title}
          </option>
        ))}
      </select>
      <p className="hint">
        <code>{envId}</code> {ENV_INFO[envId].goal}
      </p>
    </div>
  );
}
