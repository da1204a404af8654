/**
 * A config that is always the run's current one, for the parts of a run built once from it (an
 * objective, say). A live knob change (src/config/knobs.ts) replaces the run's config at an
 * iteration's start; a part that reads a knob whenever it needs it, through this view, sees the
 * new value from then on, while a knob it read while it was being built (and may have copied)
 * is recorded, so that the run builds the part again when that knob changes, and only then.
 *
 *   const built = new Set<string>();
 *   let building = true;
 *   const part = createPart(liveConfigView(() => run.config, (path) => building && built.add(path)));
 *   building = false;
 *   // later: a change to a path in `built` rebuilds the part; any other reaches it by itself.
 *
 * Each property is looked up in `current()` when it is read; the config's shape never changes (the
 * schema fills every field), so what the view lists (keys, spreads) is the same as the config's.
 */
export function liveConfigView<T extends object>(
  current: () => T,
  onRead: (path: string) => void,
  prefix = '',
): T {
  return new Proxy(current(), {
    get(_target, property) {
      const value: unknown = Reflect.get(current(), property);
      if (typeof property !== 'string') return value;
      const path = prefix === '' ? property : `${prefix}.${property}`;
      if (value !== null && typeof value === 'object') {
        return liveConfigView(() => Reflect.get(current(), property) as object, onRead, path);
      }
      onRead(path);
      return value;
    },
  });
}
