/**
 * Someone who picks from a select or a radio group with the mouse expects the arrow keys to drive
 * the env next, not to change that pick again; a keyboard user (focus-visible) keeps focus where
 * it is, so tabbing order and screen readers are undisturbed.
 */
export function releaseFocusAfterPointerChoice(element: HTMLElement): void {
  if (!element.matches(':focus-visible')) element.blur();
}
