/**
 * `npm run bench -- NAME [options]`: runs one benchmark and prints its table.
 * Each benchmark is its own module under ./bench/, exporting `run(args: string[]): Promise<void>`;
 * docs/BENCHMARKS.md records every table with the command that printed it.
 */
const benchmarks: Record<string, () => Promise<{ run: (args: string[]) => Promise<void> }>> = {
  envs: () => import('./bench/envs'),
  model: () => import('./bench/model'),
  loop: () => import('./bench/loop'),
  smoothness: () => import('./bench/smoothness'),
  live: () => import('./bench/live'),
  oracle: () => import('./bench/oracle'),
  noise: () => import('./bench/noise'),
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const load = name === undefined ? undefined : benchmarks[name];
  if (load === undefined) {
    console.error(
      `usage: npm run bench -- NAME [options]\n  NAME is one of: ${Object.keys(benchmarks).join(', ')}`,
    );
    process.exit(2);
  }
  const benchmark = await load();
  await benchmark.run(args);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
