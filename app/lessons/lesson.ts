/**
 * What a lesson is: a short guided story in steps. A step may set the experiment up (as a link
 * would: a preset and the link's own keys, so every setup is validated by the URL codec), says
 * what to watch, explains it with an equation, and names the figures of the run on screen to
 * quote. A lesson holds no numbers of its own: every figure it shows comes from the run.
 */
import type { SeriesName } from '../../src/reportSeries';

export interface LiveFigure {
  readonly series: SeriesName;
  readonly label: string;
}

export interface LessonStep {
  readonly title: string;
  /**
   * The experiment this step runs, as link pairs without `v=` (`preset=exploit&cmp=obj:mse`).
   * Absent: the step keeps the run on screen and only changes what to look at.
   */
  readonly setup?: string;
  /** What to do and where to look, in a sentence or two. */
  readonly watch: string;
  /** Why it happens. */
  readonly explain: string;
  /** TeX, rendered by KaTeX. */
  readonly equation?: string;
  readonly figures?: readonly LiveFigure[];
}

export interface Lesson {
  /** Its number in links (`lesson=3.2`): lessons are appended, never renumbered. */
  readonly id: string;
  readonly title: string;
  readonly steps: readonly LessonStep[];
}
