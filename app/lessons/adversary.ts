import type { Lesson } from './lesson';

export const adversaryLesson: Lesson = {
  id: '3',
  title: 'The adversary finds the holes',
  steps: [
    {
      title: 'The Error-MDP',
      setup: 'preset=adversary',
      watch:
        'Press Play. Besides the policy, an adversary policy now acts in the model: compare the adversarial error (on the states it reaches) with the on-policy and uniform errors.',
      explain:
        'The adversary’s reward is the model’s error as the critic feels it: how far the value of the model’s next state is from the value of the real one. Maximising it inside the model, the adversary walks to the holes in the model that would cost the policy the most.',
      equation:
        "\\max_{\\pi_{\\text{adv}}}\\; \\mathbb{E}_{\\hat M,\\,\\pi_{\\text{adv}}}\\Big[\\sum_t \\gamma^t\\, e(s_t,a_t)\\Big], \\qquad e(s,a) = \\big|\\,V(s') - V(\\hat s')\\,\\big|",
      figures: [
        { series: 'adversarial', label: 'adversarial error' },
        { series: 'onPolicy', label: 'on-policy error' },
        { series: 'uniform', label: 'uniform error' },
      ],
    },
    {
      title: 'Active data selection',
      watch:
        'Keep it running and look at the map: part of each iteration’s real steps are now collected by the adversary, in the places it found.',
      explain:
        'The adversary’s real rollouts are the active data selection: the model then trains on data weighted towards where the adversary and the policy go. It is a zero-sum game — the adversary looks for error, the model removes it — and at its equilibrium the model is good where it matters.',
      equation:
        "\\min_\\theta\\; \\mathbb{E}_{(s,a)\\sim\\rho}\\,\\big\\|\\hat f_\\theta(s,a) - s'\\big\\|^2, \\qquad \\rho = (1-\\lambda)\\, d^{\\pi}_M + \\lambda\\, d^{\\pi_{\\text{adv}}}_M",
      figures: [
        { series: 'adversarial', label: 'adversarial error' },
        { series: 'gap', label: 'gap' },
      ],
    },
    {
      title: 'Against plain MSE',
      setup: 'preset=adversary&cmp=obj:mse',
      watch:
        'Press Play: A is policy-aware, B the same agent fitting plain MSE, on the same seed and budget, on MountainCar. Watch the real return — the flag pays 100 — and where each model is wrong: the strategic error, on the states the oracle visits as it pumps its way up.',
      explain:
        'Both spend the same real steps; only where they spend them, and what the model is asked to get right, differ. MSE’s policy finds no reward in its model and stays in the valley, so its model never learns the hills. The adversary is paid where the critic’s value of the model’s next state is wrong, which is up the hills; its data teach the model the swing, and the policy finds the flag in it. Over ten seeds the policy-aware model errs 3.6× less where the oracle goes and reaches the flag in 7, plain MSE in none (docs/RESULTS.md).',
      figures: [
        { series: 'strategic', label: 'strategic error' },
        { series: 'real', label: 'real return' },
        { series: 'gap', label: 'gap' },
      ],
    },
    {
      title: 'Disagreement is not the same thing',
      setup: 'preset=adversary&cmp=advsig:disagreement',
      watch:
        'A rewards the adversary with the critic’s error, B with the ensemble’s disagreement. Compare their uniform and on-policy errors.',
      explain:
        'Disagreement between ensemble members is a signal of what the model has not seen — an exploration bonus. It lowers the error everywhere the ensemble is unsure, which need not be where a good policy goes; the value-weighted error aims at that directly.',
      equation:
        "e_{\\text{disagree}}(s,a) = \\operatorname{std}_k\\, \\hat f_k(s,a) \\quad\\text{vs}\\quad e(s,a) = \\big|V(s')-V(\\hat s')\\big|",
      figures: [
        { series: 'onPolicy', label: 'on-policy error' },
        { series: 'uniform', label: 'uniform error' },
      ],
    },
  ],
};
