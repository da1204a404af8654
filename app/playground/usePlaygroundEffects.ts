import { useEffect } from 'react';
import { decodeHash, encodeLink, isRefusedLink, sameLink } from '../../src/config/urlCodec';
import { step, togglePlay } from '../engineClient';
import { openLink } from '../lessons/lessonNavigation';
import { useLabStore, type LabState } from './store';

/**
 * The URL is the config: the hash follows every edit, and a hash typed, pasted or followed is
 * applied as a fresh load of it would be (lessonNavigation.ts, `openLink`). A
 * link the app refused (another version's) stays in the address bar, not rewritten to the
 * defaults shown instead, until the user changes something: "reload the page to get the latest
 * app" needs it there.
 */
export function useHashSync(): void {
  useEffect(() => {
    /** Set while a refused link is loaded: the state it brings is not the link's to write. */
    let keepingLink = false;
    const write = (state: LabState) => {
      const hash = `#${encodeLink(state)}`;
      if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
    };
    if (!isRefusedLink(decodeHash(window.location.hash))) write(useLabStore.getState());
    const unsubscribe = useLabStore.subscribe((state, previous) => {
      if (keepingLink) return;
      if (!sameLink(state, previous)) write(state);
    });
    const onHashChange = () => {
      const decoded = decodeHash(window.location.hash);
      keepingLink = isRefusedLink(decoded);
      try {
        openLink(decoded);
      } finally {
        keepingLink = false;
      }
    };
    window.addEventListener('hashchange', onHashChange);
    return () => {
      unsubscribe();
      window.removeEventListener('hashchange', onHashChange);
    };
  }, []);
}

function isOwnedByFormControl(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName))
  );
}

/** Space plays or pauses, S steps one iteration (form controls keep their own keys). */
export function usePlaygroundKeys(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (
        event.altKey ||
        event.ctrlKey ||
        event.metaKey ||
        event.repeat ||
        isOwnedByFormControl(event.target)
      )
        return;
      if (
        event.key === ' ' &&
        !(event.target instanceof HTMLButtonElement) &&
        !(event.target instanceof HTMLElement && event.target.tagName === 'SUMMARY')
      ) {
        event.preventDefault();
        togglePlay();
      } else if (event.key === 's' || event.key === 'S') {
        step();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
