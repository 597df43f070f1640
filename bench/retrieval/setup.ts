/** What one retrieval evaluation runs on: the model, which demo patches, how many LSH draws, which k. */
export interface RetrievalSetup {
  /** The model folder. */
  model: string
  /** Seed of the simulated demo archive; the LSH hyperplanes draw from it and the chance ranking from seed + 1. */
  seed: number
  /** The model was trained on demo patches below this index; no evaluation patch may come from there. */
  trainedBelow: number
  /** The database: demo patches dbStart … dbStart + dbN − 1, all splits. */
  dbStart: number
  dbN: number
  /** The queries: the first queryN test-split patches from queryStart on. */
  queryStart: number
  queryN: number
  /** Independent hyperplane draws per LSH baseline: one draw is a lucky or unlucky sample of the method. */
  lshDraws: number
  /** The k of mAP@k, P@k and Jaccard@k. */
  ks: readonly number[]
  /** The longest ranking each method returns per query (the largest k). */
  maxK: number
}

/** The full evaluation (10,000-patch database, 2,000 queries) or, when `quick`, a smaller one. */
export function retrievalSetup(model: string, quick: boolean): RetrievalSetup {
  const dbStart = 100_000
  const dbN = quick ? 2_000 : 10_000
  return {
    model,
    seed: 42,
    trainedBelow: 50_000,
    dbStart,
    dbN,
    queryStart: dbStart + dbN,
    queryN: quick ? 200 : 2_000,
    lshDraws: quick ? 3 : 10,
    ks: [10, 100],
    maxK: 100,
  }
}
