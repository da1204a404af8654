import { useEffect } from 'react';
import { selectPlaying, usePlayTabStore } from './playTabStore';

/** While playing, advances the env one step per animation frame (the browser paces the loop). */
export function useAnimationLoop(): void {
  const playing = usePlayTabStore(selectPlaying);
  const advance = usePlayTabStore((state) => state.advance);

  useEffect(() => {
    if (!playing) return;
    let frame = requestAnimationFrame(function onFrame(now) {
      advance(now);
      frame = requestAnimationFrame(onFrame);
    });
    return () => cancelAnimationFrame(frame);
  }, [playing, advance]);
}
