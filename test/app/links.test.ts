/**
 * The link is the state, both ways: a link followed or typed while the page is open (a hash
 * change) leaves the page as a fresh load of that link would, a bare lesson link included (the
 * preset menu then names the preset the lesson set); and the app's restart test follows the knob
 * registry: live knobs never ask for a restart while a run goes on.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeHash, URL_VERSION } from '../../src/config/urlCodec';
import { openBareLessonLink, openLink } from '../../app/lessons/lessonNavigation';
import { findLesson } from '../../app/lessons/lessons';
import { selectNeedsRestart, useLabStore } from '../../app/playground/store';
import { report } from '../fixtures/report';

const initial = useLabStore.getState();

/** The page's state that a link sets. */
const linkState = () => {
  const { config, preset, hide, lesson, compare, seeds, notices, viewing } =
    useLabStore.getState();
  return { config, preset, hide, lesson, compare, seeds, notices, viewing };
};

/** A fresh load: the store starts from the link, then the lesson panel opens a bare lesson link. */
function freshLoad(hash: string) {
  useLabStore.setState(initial, true);
  useLabStore.getState().loadDecoded(decodeHash(hash));
  openBareLessonLink(hash);
  return linkState();
}

/** A page somewhere else entirely: another preset, a comparison, hidden groups, a file on screen. */
function elsewhere() {
  useLabStore.setState(initial, true);
  const state = useLabStore.getState();
  state.loadDecoded(
    decodeHash(`v=${URL_VERSION}&preset=mnm&cmp=obj:mse&seeds=2&hide=data&lesson=2`),
  );
  const fileConfig = useLabStore.getState().config;
  state.fileLoaded('a.json', {
    config: fileConfig,
    schedule: [],
    backend: null,
    runs: [{ seed: 0, reports: [report(0)] }],
    summary: {},
  });
}

describe('a link followed on the open page', () => {
  beforeEach(() => useLabStore.setState(initial, true));

  it.each([
    '#lesson=3.2',
    '#lesson=3.3&hide=model',
    '#lesson=1.4',
    `#v=${URL_VERSION}&preset=exploit&lr=0.01&lesson=1.2`,
    `#v=${URL_VERSION}&seed=5&cmp=width:16&seeds=3`,
    '#width=99999',
  ])('%s leaves the page as a fresh load of it', (hash) => {
    const fresh = freshLoad(hash);
    elsewhere();
    openLink(decodeHash(hash));
    expect(linkState()).toEqual(fresh);
    expect(linkState().viewing).toBeNull();
  });

  it('sets a bare lesson link up with the setup its step goes on with, so the preset menu names it', () => {
    elsewhere();
    openLink(decodeHash('#lesson=3.2'));
    const state = useLabStore.getState();
    // Step 3.2 has no setup of its own: it goes on with step 3.1's adversary preset.
    expect(findLesson('3')?.steps[1].setup).toBeUndefined();
    expect(state.preset).toBe('adversary');
    expect(state.lesson).toEqual({ id: '3', step: 1 });
    expect(state.config).toEqual(decodeHash(`v=${URL_VERSION}&preset=adversary`).config);
    expect(state.compare).toEqual([]);
    expect(state.hide).toEqual([]);

    openLink(decodeHash('#lesson=3.3&hide=model'));
    expect(useLabStore.getState()).toMatchObject({
      preset: 'adversary',
      compare: [{ obj: 'mse' }],
      hide: ['model'],
      lesson: { id: '3', step: 2 },
    });
  });
});

describe('the restart test', () => {
  beforeEach(() => useLabStore.setState(initial, true));

  function running(status: 'running' | 'paused' | 'done') {
    const state = useLabStore.getState();
    const variants = [state.config];
    state.runStarted(1, {
      variants,
      compare: [],
      seeds: 1,
      lanes: [{ variant: 0, seedIndex: 0, seed: 0 }],
    });
    state.statusChanged(1, status);
  }
  const setModel = (changes: object) =>
    useLabStore
      .getState()
      .setConfig((config) => ({ ...config, model: { ...config.model, ...changes } }));

  it('asks for no restart for a live knob while the run goes on, and for one that needs a fresh run', () => {
    running('running');
    setModel({ learningRate: 0.005 });
    expect(selectNeedsRestart(useLabStore.getState())).toBe(false);
    setModel({ width: useLabStore.getState().config.model.width + 8 });
    expect(selectNeedsRestart(useLabStore.getState())).toBe(true);
  });

  it('asks for a restart for any change once the run has ended', () => {
    running('done');
    setModel({ learningRate: 0.005 });
    expect(selectNeedsRestart(useLabStore.getState())).toBe(true);
  });
});
