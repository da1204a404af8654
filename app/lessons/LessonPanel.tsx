/**
 * The open lesson: which lesson and step, what to watch, why (with its equation), the figures
 * of the run on screen the step quotes, and the way back and on. A link's `lesson=ID.N` opens it
 * at that step; a bare lesson link also sets the step's experiment up.
 */
import { lazy, Suspense, useEffect } from 'react';
import { useLabStore } from '../playground/store';
import { findLesson, LESSONS, lessonRefProblem } from './lessons';
import {
  closeLesson,
  openBareLessonLink,
  openLessonStep,
  resolveLessonRef,
} from './lessonNavigation';
import { LiveFigures } from './LiveFigures';

// KaTeX and its fonts are fetched when a lesson first shows an equation, not with the app.
const Equation = lazy(() => import('./Equation'));

export function LessonPanel() {
  const lesson = useLabStore((state) => state.lesson);
  const setLesson = useLabStore((state) => state.setLesson);
  useEffect(() => {
    openBareLessonLink(window.location.hash);
  }, []);
  if (lesson === null) return null;
  const resolved = resolveLessonRef(lesson);
  const current = resolved === null ? undefined : findLesson(resolved.id);
  // What the link asked for that is not there (a lesson, or a step past the end), said once.
  const problem = lessonRefProblem(lesson);
  if (resolved === null || current === undefined) {
    return (
      <section className="message message--notice" aria-label="Lesson">
        <p>{problem}</p>
        <button type="button" className="button button--small" onClick={closeLesson}>
          Dismiss
        </button>
      </section>
    );
  }
  const step = current.steps[resolved.step];
  const last = current.steps.length - 1;
  return (
    <section className="card lesson-panel" aria-label="Lesson">
      <header className="lesson-head">
        <div>
          <p className="lesson-kicker">
            Lesson {current.id} of {LESSONS.length} · step {resolved.step + 1} of {last + 1}
          </p>
          <h2>
            {current.title}: <span className="lesson-step-title">{step.title}</span>
          </h2>
        </div>
        <div className="lesson-nav">
          <button
            type="button"
            className="button button--small"
            disabled={resolved.step === 0}
            onClick={() => openLessonStep({ id: current.id, step: resolved.step - 1 })}
          >
            ← Back
          </button>
          {resolved.step < last ? (
            <button
              type="button"
              className="button button--small button--primary"
              onClick={() => openLessonStep({ id: current.id, step: resolved.step + 1 })}
            >
              Next step →
            </button>
          ) : (
            findLesson(String(Number(current.id) + 1)) !== undefined && (
              <button
                type="button"
                className="button button--small button--primary"
                onClick={() => openLessonStep({ id: String(Number(current.id) + 1), step: 0 })}
              >
                Next lesson →
              </button>
            )
          )}
          <button
            type="button"
            className="button button--small"
            onClick={closeLesson}
            aria-label="Close the lesson"
          >
            ✕
          </button>
        </div>
      </header>
      {problem !== null && (
        <div className="message message--notice lesson-note" role="status" aria-label="Lesson step">
          <p>{problem}</p>
          <button
            type="button"
            className="button button--small"
            onClick={() => setLesson(resolved)}
          >
            Dismiss
          </button>
        </div>
      )}
      <div className="lesson-body">
        <div className="lesson-text">
          <p className="lesson-watch">
            <strong>Watch: </strong>
            {step.watch}
          </p>
          <p>{step.explain}</p>
          {step.equation !== undefined && (
            <Suspense fallback={<div className="lesson-equation lesson-equation--loading" />}>
              <Equation tex={step.equation} />
            </Suspense>
          )}
        </div>
        {step.figures !== undefined && step.figures.length > 0 && (
          <LiveFigures figures={step.figures} />
        )}
      </div>
    </section>
  );
}
