import type { Lesson } from './lesson';

export const noisyRewardsLesson: Lesson = {
  id: '6',
  title: 'Noisy rewards are fine for REINFORCE',
  steps: [
    {
      title: 'REINFORCE in the model',
      setup: 'preset=healthy&opt=reinforce',
      watch:
        'Press Play: the policy now learns from sampled imagined returns instead of gradients through the model. Watch the real return.',
      explain:
        'REINFORCE needs only the returns of its own actions, not their derivatives: it weights each action’s log-probability by the return that followed it, minus a baseline.',
      equation:
        '\\nabla_\\phi J = \\mathbb{E}_{\\hat M,\\pi_\\phi}\\Big[\\sum_t \\nabla_\\phi \\log \\pi_\\phi(a_t\\mid s_t)\\,\\big(G_t - b(s_t)\\big)\\Big]',
      figures: [
        { series: 'real', label: 'real return' },
        { series: 'gap', label: 'gap' },
      ],
    },
    {
      title: 'Add zero-mean noise to every reward',
      setup: 'preset=healthy&opt=reinforce&cmp=rnoise:2,rnoise:10',
      watch:
        'Press Play: A has exact rewards, B and C add noise of standard deviation 2 and 10 to every imagined reward. Compare their real returns.',
      explain:
        'Zero-mean noise leaves the expected return — and so the expected gradient — unchanged: the estimate stays unbiased and only its variance grows, which the batch of imagined rollouts averages down. Set Seeds per config to 3 to see how far the lines are apart from seed to seed.',
      equation:
        '\\tilde r = r + \\varepsilon,\\ \\ \\mathbb{E}[\\varepsilon] = 0 \\;\\Rightarrow\\; \\mathbb{E}\\big[\\tilde G_t\\big] = \\mathbb{E}\\big[G_t\\big] \\;\\Rightarrow\\; \\mathbb{E}\\big[\\widehat{\\nabla_\\phi J}\\big] \\text{ unchanged}',
      figures: [{ series: 'real', label: 'real return' }],
    },
  ],
};
