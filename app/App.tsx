import { useState } from 'react';
import { FirstScreen } from './FirstScreen';
import { Playground } from './playground/Playground';

type View = 'lab' | 'play';

const TABS: readonly { view: View; label: string }[] = [
  { view: 'lab', label: 'Model-based RL lab' },
  { view: 'play', label: 'Play the env yourself' },
];

export function App() {
  const [view, setView] = useState<View>('lab');
  return (
    <div className="app">
      <header className="app-header">
        <h1>Mismatch Lab</h1>
        <p className="tagline">See a world model fit the data yet fail the policy.</p>
        <div className="tabs" role="tablist" aria-label="Views">
          {TABS.map((tab) => (
            <button
              key={tab.view}
              type="button"
              role="tab"
              id={`tab-${tab.view}`}
              aria-selected={view === tab.view}
              aria-controls={`panel-${tab.view}`}
              className="tab"
              onClick={() => setView(tab.view)}
            >
              {tab.label}
            </button>
          ))}
        </div>
      </header>
      <main id={`panel-${view}`} role="tabpanel" aria-labelledby={`tab-${view}`}>
        {view === 'lab' ? <Playground /> : <FirstScreen />}
      </main>
    </div>
  );
}
