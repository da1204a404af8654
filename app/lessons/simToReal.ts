import type { Lesson } from './lesson';

/** A heavier pendulum under stronger gravity than the simulator's (g = 10, m = 1). */
const PERTURBED_WORLD = 'real.g=12&real.m=1.4';

export const simToRealLesson: Lesson = {
  id: '7',
  title: 'Sim-to-real with a perturbed world',
  steps: [
    {
      title: 'Learn the simulator first',
      setup: `preset=healthy&init=200&pre=5000&${PERTURBED_WORLD}`,
      watch:
        'The model first learns 5 000 transitions of the nominal simulator, then real data from a world with stronger gravity and a heavier pendulum (see Real-world physics). Press Play and watch the gap and the on-policy error.',
      explain:
        'Pre-training on a simulator gives the model the shape of the dynamics for free, but the simulator’s physics are not the world’s: until real data corrects it, the model is confidently wrong in a consistent direction.',
      equation:
        "\\theta_0 = \\arg\\min_\\theta \\mathbb{E}_{\\mathcal{D}_{\\text{sim}}}\\big\\|\\hat f_\\theta(s,a) - s'\\big\\|^2, \\qquad P_{\\text{real}}(s'\\mid s,a) \\neq P_{\\text{sim}}(s'\\mid s,a)",
      figures: [
        { series: 'gap', label: 'gap' },
        { series: 'onPolicy', label: 'on-policy error' },
      ],
    },
    {
      title: 'With and without the simulator',
      setup: `preset=healthy&init=200&pre=5000&${PERTURBED_WORLD}&cmp=pre:0`,
      watch:
        'Press Play: A pre-trains on the simulator, B starts from real data only. Compare their on-policy errors and real returns over the first iterations.',
      explain:
        'Whether the simulator helps depends on how far its physics are from the world’s and how much real data there is to correct it.',
      figures: [
        { series: 'onPolicy', label: 'on-policy error' },
        { series: 'real', label: 'real return' },
      ],
    },
    {
      title: 'Move the world yourself',
      watch:
        'Change the real-world physics (Environment & real world) further from nominal, restart, and see whether A still beats B.',
      explain:
        'The larger the mismatch, the more real data it takes to unlearn the simulator — the sim-to-real gap is a model error the policy can exploit like any other.',
      figures: [
        { series: 'gap', label: 'gap' },
        { series: 'real', label: 'real return' },
      ],
    },
  ],
};
