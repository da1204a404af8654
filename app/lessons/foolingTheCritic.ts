import type { Lesson } from './lesson';

export const foolingTheCriticLesson: Lesson = {
  id: '4',
  title: 'Fooling the critic: Mismatched No More',
  steps: [
    {
      title: 'A classifier that tells real from imagined',
      setup: 'preset=mnm',
      watch:
        'Press Play and watch the classifier’s accuracy: 0.5 means it can no longer tell the model’s transitions from real ones.',
      explain:
        'A classifier C(s, a, s′) learns to tell real transitions from the model’s. The model is trained to fool it as well as to fit the data, so it is pushed to be indistinguishable from the world — on the transitions the policy produces.',
      equation:
        "C(s,a,s') \\approx \\Pr\\big[\\text{real} \\mid s,a,s'\\big], \\qquad \\min_\\theta\\; \\mathbb{E}_{\\hat M_\\theta,\\pi}\\big[-\\log C(s,a,\\hat s')\\big]",
      figures: [
        { series: 'classifierAccuracy', label: 'classifier accuracy' },
        { series: 'gap', label: 'gap' },
      ],
    },
    {
      title: 'The policy avoids what the model gets wrong',
      watch:
        'Keep watching the gap and the real return: the policy now also pays for transitions the classifier finds fake.',
      explain:
        'The policy’s imagined reward gains the classifier’s log-odds, so it is steered away from transitions the model gets wrong. Model and policy maximise one joint lower bound on the real return, instead of two objectives that disagree.',
      equation:
        '\\max_{\\pi,\\hat M}\\; \\mathbb{E}_{\\hat M,\\pi}\\Big[\\sum_t \\gamma^t \\Big( r(s_t,a_t) + \\log \\frac{C(s_t,a_t,s_{t+1})}{1-C(s_t,a_t,s_{t+1})}\\Big)\\Big]',
      figures: [
        { series: 'real', label: 'real return' },
        { series: 'sim', label: 'sim return' },
        { series: 'gap', label: 'gap' },
      ],
    },
    {
      title: 'Against plain MSE',
      setup: 'preset=mnm&cmp=obj:mse',
      watch: 'Press Play: A is MnM, B the same agent fitting plain MSE. Compare their gaps.',
      explain:
        'Same data, same optimiser: the difference in the gaps is what the joint bound buys, on this seed — add seeds in Compare & seeds to see whether it holds.',
      figures: [
        { series: 'gap', label: 'gap' },
        { series: 'real', label: 'real return' },
      ],
    },
  ],
};
