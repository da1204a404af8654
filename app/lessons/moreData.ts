import type { Lesson } from './lesson';

/** healthy = exploit with these changes (src/config/presets.ts): twenty times the random data, five times the real steps, the known reward. */
const HEALTHY_OVER_EXPLOIT = 'it:6;init:2000;steps:100;fit:200;rew:known';

export const moreDataLesson: Lesson = {
  id: '2',
  title: 'More data is not the cure everywhere',
  steps: [
    {
      title: 'Little data: error where the policy goes',
      setup: 'preset=exploit',
      watch:
        'Press Play and compare the on-policy error (states the policy visits) with the uniform error (states spread over the whole space).',
      explain:
        'The policy is trained inside the model, so it drifts to the states where the model promises the most — and those are often where the model has seen least. Its own states are then where the error is largest.',
      equation:
        '\\big|J_{\\hat M}(\\pi) - J_M(\\pi)\\big| \\;\\lesssim\\; \\frac{\\gamma\\, R_{\\max}}{(1-\\gamma)^2}\\; \\mathbb{E}_{(s,a)\\sim d^\\pi_M}\\big[\\,\\|\\hat P(\\cdot\\mid s,a) - P(\\cdot\\mid s,a)\\|_1\\big]',
      figures: [
        { series: 'onPolicy', label: 'on-policy error' },
        { series: 'uniform', label: 'uniform error' },
        { series: 'gap', label: 'gap' },
      ],
    },
    {
      title: 'Twenty times the data',
      setup: 'preset=healthy',
      watch:
        'Press Play. The same agent with twenty times the random data, five times the real steps and the known reward: note both errors and the gap — the next step runs this config and the last one side by side.',
      explain:
        'More data lowers the error everywhere the data reaches. The bound only asks for low error under the policy’s own state distribution: data helps to the extent that it covers where the policy goes, not because the uniform error falls.',
      equation: 'd^\\pi_M(s) \\;\\neq\\; \\mathcal{D}(s) \\;\\neq\\; \\mathcal{U}(s)',
      figures: [
        { series: 'onPolicy', label: 'on-policy error' },
        { series: 'uniform', label: 'uniform error' },
        { series: 'gap', label: 'gap' },
      ],
    },
    {
      title: 'Side by side',
      setup: `preset=exploit&cmp=${HEALTHY_OVER_EXPLOIT}`,
      watch:
        'Press Play: A is the exploit, B the same agent with more data and the known reward, on the same seed. Compare their model-error lines (solid: on-policy, dashed: uniform) and their maps.',
      explain:
        'Where the two on-policy lines part, more data has reached where the policy goes; where the uniform lines part but the gaps do not, it has not. The data that matters is the data under the policy.',
      figures: [
        { series: 'onPolicy', label: 'on-policy error' },
        { series: 'uniform', label: 'uniform error' },
        { series: 'gap', label: 'gap' },
      ],
    },
  ],
};
