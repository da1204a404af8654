/** The lessons in their order; their ids are their numbers in links (`lesson=3.2`). */
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
