/**
 * The value critic's one configuration: the loop's critic (experiment.ts) and policyAware's
 * (whose imagined returns rank the model's errors) are the same network, and the resource and
 * time estimates count it. Its own module, free of tfjs, because the app's estimates read it.
 */
export const CRITIC = { width: 64, depth: 2, learningRate: 3e-3 } as const;
