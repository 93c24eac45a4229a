/** Benchmark sections for the graph, near-duplicates/tokens, scraping and BullMQ (filled in as they land). */
export interface BenchEnv {
  root: string;
  work: string;
  scaledPipeline: (copies: number, extra?: Record<string, unknown>) => { file: string; bytes: number };
}

export async function extraBenchSections(env: BenchEnv): Promise<string[]> {
  void env;
  return [];
}
