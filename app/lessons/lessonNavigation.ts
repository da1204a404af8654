/**
 * Moving through lessons: opening a step sets up its experiment the way a link would (the setup
 * is decoded by the URL codec, whose notices appear like a link's), clears the run that belonged
 * to the previous setup, and keeps the teacher's hidden control groups.
 */
import { defaultConfig } from '../../src/config/parse';
import {
  decodeHash,
  URL_VERSION,
  type DecodedHash,
  type LessonRef,
  type UrlNotice,
} from '../../src/config/urlCodec';
import type { ControlGroup } from '../../src/config/urlKeys';
import { reset } from '../engineClient';
import { useLabStore } from '../playground/store';
import { findLesson } from './lessons';

/** The step a reference names, clamped into the lesson; null for an unknown lesson. */
export function resolveLessonRef(ref: LessonRef): LessonRef | null {
  const lesson = findLesson(ref.id);
  if (lesson === undefined) return null;
  return { id: lesson.id, step: Math.min(Math.max(0, ref.step), lesson.steps.length - 1) };
}

/**
 * Opens the step `ref` names, clamped into its lesson. Opened from a link (`link` holds what the
 * link's decoding had to say), the reference is kept as the link wrote it, so the panel can say
 * that a step past the end was asked for, and the link's notices are kept with the step's.
 *
 * A step without a setup of its own goes on with the experiment of the steps before it: moving
 * on to it keeps the one on screen, and a link to it sets up the nearest earlier step's (the
 * README's `#lesson=3.2` opens the adversary preset that step 3.1 set, not the defaults).
 */
export function openLessonStep(
  ref: LessonRef,
  link: {
    readonly notices: readonly UrlNotice[];
    readonly hide?: readonly ControlGroup[];
  } | null = null,
): void {
  const resolved = resolveLessonRef(ref);
  const store = useLabStore.getState();
  if (resolved === null) {
    store.setLesson(null);
    return;
  }
  const lesson = link === null ? resolved : ref;
  const steps = findLesson(resolved.id)?.steps ?? [];
  const setup =
    link === null
      ? steps[resolved.step]?.setup
      : steps
          .slice(0, resolved.step + 1)
          .reverse()
          .find((step) => step.setup !== undefined)?.setup;
  if (setup === undefined && link === null) {
    store.setLesson(lesson);
    return;
  }
  // The figures a step quotes must come from its own experiment, not the last one's.
  reset();
  const decoded = decodeHash(`v=${URL_VERSION}${setup === undefined ? '' : `&${setup}`}`);
  store.loadDecoded({
    ...decoded,
    notices: [...(link?.notices ?? []), ...decoded.notices],
    // A link's own hide= holds, as on a fresh load; moving through lessons keeps the teacher's.
    hide: link?.hide === undefined ? store.hide : [...link.hide],
    lesson,
  });
}

export function closeLesson(): void {
  useLabStore.getState().setLesson(null);
}

/**
 * A link that names only a lesson (`#lesson=3.2`, typed by hand or shared bare) has no
 * experiment of its own: it opens the step with the step's setup. A link that also carries a
 * config keeps that config — its author may have changed the step's.
 */
export function openBareLessonLink(link: string | DecodedHash): boolean {
  const decoded = typeof link === 'string' ? decodeHash(link) : link;
  if (decoded.lesson === null || findLesson(decoded.lesson.id) === undefined) return false;
  const bare =
    decoded.preset === null &&
    decoded.compare.length === 0 &&
    decoded.seeds === 1 &&
    JSON.stringify(decoded.config) === JSON.stringify(defaultConfig);
  if (bare) openLessonStep(decoded.lesson, decoded);
  return bare;
}

/**
 * A link followed or typed while the page is open (its hash changed) is applied as a fresh load
 * of it would be: the link's config, preset, comparison, seeds, classroom keys and notices replace
 * the page's (a bare lesson link sets its step up), and a loaded file gives way to it. The run
 * takes what the link changed as it takes any edit: live knobs at its next iteration, the others
 * at a restart the user confirms.
 */
export function openLink(decoded: DecodedHash): void {
  const store = useLabStore.getState();
  store.closeViewing();
  if (!openBareLessonLink(decoded)) store.loadDecoded(decoded);
}
