/**
 * npm run eval:retrieval — retrieval quality of the default model (resources/models/milan-demo-128) on
 * held-out patches of the SIMULATED demo archive (seed 42), against three baselines:
 *   (a) MiLaN codes, Hamming ranking through HashIndex.knn (exact; ties by id);
 *   (b) the same network's float (tanh) activations, exact cosine ranking;
 *   (c) random-projection LSH: 128 seeded Gaussian hyperplanes over those activations, Hamming ranking,
 *       averaged over LSH_DRAWS independent draws of the hyperplanes;
 *   (b2, c2) when the card names a features output: the pooled CNN features the hash head reads (centred,
 *       exact cosine) and LSH over them — the usual "deep features + LSH" baseline of hashing papers;
 *   (c3) LSH over (d)'s band means; (d) per-band means of the 12 raw bands, each standardised over the
 *       database, Euclidean; and a seeded random ranking (chance).
 * Differences to the codes are paired per query (same queries, same database): mean and 95 % confidence
 * interval of AP(codes) − AP(other) over the queries.
 * Held out: the model was trained on the train split of demo patches 0 … 49,999. The database here is
 * patches 100,000 … 109,999 (all splits) and the queries the test-split patches from 110,000 on; none of
 * them was seen in training or used for normalisation statistics.
 * Metrics: mAP@k and precision@k, relevant = shares at least one of the 19 labels (AP@k as in
 * build/milan/train.py: mean of P@i over the relevant ranks i ≤ k); and the mean Jaccard index of the
 * query's and each retrieved patch's label sets over the top k (a graded label-overlap score).
 * Then the real patches in ../shared/data (BigEarthNet v2, v1, EuroSAT) are queries against the same
 * database: their nearest neighbours' label overlap is printed (a sanity check, not a score).
 * The parts live in bench/retrieval/: setup, demo data, search, metrics, LSH, baselines, real patches, report.
 * Flags: --quick (2,000-patch database, 200 queries, not recorded); --model <folder> (another model; recorded only
 * for the default).
 */
import { fileURLToPath } from 'node:url'
import { Encoder } from '../src-main/inference/encoder'
import { recordBenchmark } from './report'
import { runMethods } from './retrieval/baselines'
import { embedDemoPatches, heldOutIndices } from './retrieval/demoData'
import { queryRealPatches } from './retrieval/realPatches'
import { retrievalReport } from './retrieval/reportText'
import { retrievalSetup } from './retrieval/setup'

const modelArg = process.argv.indexOf('--model')
const MODEL = modelArg > 0 ? process.argv[modelArg + 1]! : fileURLToPath(new URL('../resources/models/milan-demo-128', import.meta.url))
const SHARED = fileURLToPath(new URL('../../shared/data', import.meta.url))
const quick = process.argv.includes('--quick')

async function main(): Promise<void> {
  const t0 = performance.now()
  const setup = retrievalSetup(MODEL, quick)
  const encoder = await Encoder.open(setup.model)
  const indices = heldOutIndices(setup)
  const db = await embedDemoPatches(encoder, setup.seed, indices.db, 'database')
  const queries = await embedDemoPatches(encoder, setup.seed, indices.queries, 'queries')
  const { rows, codes } = await runMethods(setup, encoder.bits, db, queries)
  const real = await queryRealPatches(SHARED, encoder, codes.dbCodes, db.masks)
  await encoder.close()

  const seconds = (performance.now() - t0) / 1000
  const text = retrievalReport({ setup, modelId: encoder.model.card.id, bits: encoder.bits, rows, codes, real, seconds })
  process.stdout.write(`${text}\n`)
  if (quick || modelArg > 0) process.stdout.write('(--quick or --model: not recorded)\n')
  else recordBenchmark('retrieval', 'Retrieval quality (`npm run eval:retrieval`)', text)
}

main().catch((e: unknown) => {
  process.stderr.write(`eval:retrieval: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
  process.exit(1)
})
