/** The lessons in their order; their ids are their numbers in links (`lesson=3.2`). */
import type { LessonRef } from '../../src/config/urlCodec';
import { adversaryLesson } from './adversary';
import { exploitLesson } from './exploit';
import { foolingTheCriticLesson } from './foolingTheCritic';
import type { Lesson } from './lesson';
import { moreDataLesson } from './moreData';
import { noisyRewardsLesson } from './noisyRewards';
import { pessimismLesson } from './pessimism';
import { simToRealLesson } from './simToReal';

export const LESSONS: readonly Lesson[] = [
  exploitLesson,
  moreDataLesson,
  adversaryLesson,
  foolingTheCriticLesson,
  pessimismLesson,
  noisyRewardsLesson,
  simToRealLesson,
];

export function findLesson(id: string): Lesson | undefined {
  return LESSONS.find((lesson) => lesson.id === id);
}

/**
 * What a link's `lesson=` asked for that does not exist, as the lesson panel says it; null when
 * the step exists. A step past the end opens the lesson's last (lessonNavigation.ts).
 */
export function lessonRefProblem(ref: LessonRef): string | null {
  const lesson = findLesson(ref.id);
  if (lesson === undefined) {
    return `There is no lesson ${ref.id}: the lessons are numbered 1 to ${LESSONS.length}.`;
  }
  const count = lesson.steps.length;
  if (ref.step < count) return null;
  return (
    `The link asks for step ${ref.step + 1} of lesson ${lesson.id}, which has ${count} steps: ` +
    `this is step ${count}, its last.`
  );
}
