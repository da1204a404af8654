import { useEffect } from 'react';
import type { Direction } from './actions';
import { usePlayTabStore } from './playTabStore';

const DIRECTION_BY_KEY: Readonly<Record<string, Direction>> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowDown: 'none',
};

/** Form controls use the arrow keys and Space themselves; leave those keys to them. */
function isOwnedByFormControl(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName))
  );
}

/**
 * Arrow keys drive the env while held (and hand it to the keyboard driver); Space plays or
 * pauses, R resets.
 */
export function useKeyboardControls(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey || isOwnedByFormControl(event.target))
        return;
      const store = usePlayTabStore.getState();
      const direction = DIRECTION_BY_KEY[event.key];
      if (direction !== undefined) {
        event.preventDefault();
        if (store.driver !== 'keyboard') store.setDriver('keyboard');
        store.setDirection(direction);
      } else if (event.key === ' ' && !(event.target instanceof HTMLButtonElement)) {
        // A focused button already answers Space with a click of its own.
        event.preventDefault();
        store.togglePlaying();
      } else if (event.key === 'r' || event.key === 'R') {
        store.reset();
      }
    };
    const onKeyUp = (event: KeyboardEvent) => {
      const released = DIRECTION_BY_KEY[event.key];
      const store = usePlayTabStore.getState();
      if (released !== undefined && released === store.direction) store.setDirection('none');
    };
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('keyup', onKeyUp);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      window.removeEventListener('keyup', onKeyUp);
    };
  }, []);
}
