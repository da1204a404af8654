import type { Lesson } from './lesson';

export const pessimismLesson: Lesson = {
  id: '5',
  title: 'Pessimism: Stackelberg and ensemble CVaR',
  steps: [
    {
      title: 'A model that argues back',
      setup: 'preset=stackelberg',
      watch:
        'Press Play and watch the sign of the gap, and how much imagined value the pessimistic model takes from the policy.',
      explain:
        'The policy leads; the model follows within a likelihood ball around the best fit, moving to lower the policy’s imagined value. A policy that is good against every plausible model cannot be exploiting one of them — the gap can turn negative: the model promises less than the world gives.',
      equation:
        '\\max_\\pi\\; \\min_{\\hat M \\in \\mathcal{B}_\\epsilon} J_{\\hat M}(\\pi), \\qquad \\mathcal{B}_\\epsilon = \\big\\{\\hat M : L_{\\text{holdout}}(\\hat M) \\le (1+\\epsilon)\\, L_{\\text{holdout}}(\\hat M_{\\text{MLE}})\\big\\}',
      figures: [
        { series: 'gap', label: 'gap' },
        { series: 'valueDrop', label: 'value taken by the model' },
      ],
    },
    {
      title: 'Ensemble CVaR',
      setup: 'preset=stackelberg&obj=mse&risk=cvar',
      watch:
        'Press Play: the model is plain MSE again, but the policy now optimises the worst α of its ensemble members’ imagined returns. Watch the gap’s sign.',
      explain:
        'Pessimism without moving the model: each ensemble member is a plausible world, and the policy is judged by the average of its worst ones, so it stays where the members agree.',
      equation:
        '\\max_\\pi\\; \\operatorname{CVaR}_\\alpha\\big(J_{\\hat M_1}(\\pi),\\dots,J_{\\hat M_K}(\\pi)\\big) = \\max_\\pi\\; \\frac{1}{\\lceil \\alpha K\\rceil} \\sum_{k \\in \\text{worst } \\lceil \\alpha K\\rceil} J_{\\hat M_k}(\\pi)',
      figures: [
        { series: 'gap', label: 'gap' },
        { series: 'real', label: 'real return' },
      ],
    },
    {
      title: 'Three ways side by side',
      setup: 'preset=stackelberg&cmp=obj:mse;risk:cvar,obj:mse',
      watch:
        'A: Stackelberg, B: ensemble CVaR, C: neither. Compare the three gaps and real returns on the same seed.',
      explain:
        'Pessimism trades promised return for trustworthy return: a smaller (or negative) gap, and a real return that may rise or fall with it.',
      figures: [
        { series: 'gap', label: 'gap' },
        { series: 'real', label: 'real return' },
      ],
    },
  ],
};
