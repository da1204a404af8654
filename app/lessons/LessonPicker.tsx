/** The top bar's way into the lessons: pick one to open it at its first step. */
import { useId } from 'react';
import { useLabStore } from '../playground/store';
import { LESSONS } from './lessons';
import { closeLesson, openLessonStep } from './lessonNavigation';

export function LessonPicker() {
  const id = useId();
  const lesson = useLabStore((state) => state.lesson);
  return (
    <div className="preset-picker lesson-picker">
      <label htmlFor={id}>Lesson</label>
      <select
        id={id}
        value={lesson?.id ?? ''}
        onChange={(event) => {
          const chosen = event.target.value;
          if (chosen === '') closeLesson();
          else openLessonStep({ id: chosen, step: 0 });
        }}
      >
        <option value="">None</option>
        {LESSONS.map((entry) => (
          <option key={entry.id} value={entry.id}>
            {entry.id}. {entry.title}
          </option>
        ))}
      </select>
    </div>
  );
}
