/**
 * Moving through lessons: opening a step sets up its experiment the way a link would (the setup
 * is decoded by the URL codec, whose notices appear like a link's), clears the run that belonged
 * to the previous setup, and keeps the teacher's hidden control groups.
 */
import { defaultConfig } from '../../src/config/parse';
import { decodeHash, URL_VERSION, type LessonRef, type UrlNotice } from '../../src/config/urlCodec';
import { reset } from '../engineClient';
import { usePlayground } from '../playground/store';
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
 */
export function openLessonStep(
  ref: LessonRef,
  link: { readonly notices: readonly UrlNotice[] } | null = null,
): void {
  const resolved = resolveLessonRef(ref);
  const store = usePlayground.getState();
  if (resolved === null) {
    store.setLesson(null);
    return;
  }
  const lesson = link === null ? resolved : ref;
  const step = (findLesson(resolved.id)?.steps ?? [])[resolved.step];
  if (step?.setup === undefined) {
    store.setLesson(lesson);
    return;
  }
  // The figures a step quotes must come from its own experiment, not the last one's.
  reset();
  const decoded = decodeHash(`v=${URL_VERSION}&${step.setup}`);
  store.loadDecoded({
    ...decoded,
    notices: [...(link?.notices ?? []), ...decoded.notices],
    hide: store.hide,
    lesson,
  });
}

export function closeLesson(): void {
  usePlayground.getState().setLesson(null);
}

/**
 * A link that names only a lesson (`#lesson=3.2`, typed by hand or shared bare) has no
 * experiment of its own: it opens the step with the step's setup. A link that also carries a
 * config keeps that config — its author may have changed the step's.
 */
export function openBareLessonLink(hash: string): void {
  const decoded = decodeHash(hash);
  if (decoded.lesson === null || findLesson(decoded.lesson.id) === undefined) return;
  const bare =
    decoded.preset === null &&
    decoded.compare.length === 0 &&
    decoded.seeds === 1 &&
    JSON.stringify(decoded.config) === JSON.stringify(defaultConfig);
  if (bare) openLessonStep(decoded.lesson, decoded);
}
