/**
 * Every ranked method of the evaluation, scored on the same queries against the same database: the MiLaN
 * codes through the hash index and the baselines (exact search over activations, features and band means;
 * LSH over each; chance).
 */
import { rng } from '../../tests/support'
import { HashIndex } from '../../src-main/hashindex/hashIndex'
import { BIGEARTHNET_BANDS } from '../../src-main/sentinel2/bands'
import type { Embedded } from './demoData'
import { RandomProjectionLsh } from './lsh'
import { meanScores, sampleSd, score, type Scores } from './metrics'
import { cosineRanking, euclideanRanking, hammingAll, signWords, topByDistance } from './search'
import type { RetrievalSetup } from './setup'

/** One method's row of the results. */
export interface MethodRow {
  key: 'codes' | 'float' | 'lshActs' | 'feats' | 'lshFeats' | 'lshMeans' | 'means' | 'chance'
  method: string
  search: string
  s: Scores
  /** Spread of mAP@100 over LSH draws. */
  sd?: number
  /** The scores of each LSH draw. */
  draws?: Scores[]
}

/** (a)'s rankings, the database codes, and how the hash index's k-NN compared with a brute-force ranking. */
export interface CodeRanking {
  /** Per query the top maxK database indices from HashIndex.knn. */
  ranked: number[][]
  /** Packed database codes, 32-bit words, in database order. */
  dbCodes: Uint32Array
  /** Queries whose top maxK from HashIndex.knn differed from the brute-force Hamming ranking. */
  knnMismatches: number
  /** Milliseconds per query of HashIndex.knn, including the brute-force check. */
  knnMsPerQuery: number
}

/** (a) MiLaN codes through the hash index (exact k-NN, ties by id), checked against a brute-force ranking. */
async function rankCodes(setup: RetrievalSetup, bits: number, db: Embedded, queries: Embedded): Promise<CodeRanking> {
  const words = bits / 32
  const dbCodes = signWords(db.acts, setup.dbN, bits)
  const qCodes = signWords(queries.acts, setup.queryN, bits)
  const index = HashIndex.fromArrays(bits, Int32Array.from({ length: setup.dbN }, (_, i) => i), dbCodes)
  const ranked: number[][] = []
  let knnMismatches = 0
  const t0 = performance.now()
  for (let q = 0; q < setup.queryN; q++) {
    const code = qCodes.subarray(q * words, (q + 1) * words)
    const nn = await index.knn(code, setup.maxK)
    ranked.push(nn.map((n) => n.id))
    const brute = topByDistance(hammingAll(code, dbCodes, words), setup.maxK)
    if (brute.some((id, i) => id !== nn[i]!.id)) knnMismatches++
  }
  const knnMsPerQuery = (performance.now() - t0) / setup.queryN
  index.close()
  return { ranked, dbCodes, knnMismatches, knnMsPerQuery }
}

/** A seeded random order of the database per query, its first `k`. */
function chanceRanking(seed: number, nQueries: number, nDb: number, k: number): number[][] {
  const shuffle = rng(seed)
  return Array.from({ length: nQueries }, () => {
    const ids = Array.from({ length: nDb }, (_, i) => i)
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(shuffle() * (nDb - i))
      ;[ids[i], ids[j]] = [ids[j]!, ids[i]!]
    }
    return ids.slice(0, k)
  })
}

/**
 * Ranks and scores every method: the rows, (a) first and chance last, and (a)'s codes. The LSH draws are made
 * in row order from one generator seeded with the setup's seed.
 */
export async function runMethods(setup: RetrievalSetup, bits: number, db: Embedded, queries: Embedded): Promise<{ rows: MethodRow[]; codes: CodeRanking }> {
  const { ks, maxK, lshDraws } = setup
  const scoreOf = (ranked: number[][]): Scores => score(queries.masks, db.masks, ranked, ks)
  const codes = await rankCodes(setup, bits, db, queries)
  const lsh = new RandomProjectionLsh(setup.seed, bits)
  /** `lshDraws` independent hyperplane draws over the same vectors; their mean scores and the spread of mAP@100. */
  const lshRow = (key: MethodRow['key'], method: string, qv: Float32Array, dv: Float32Array, dims: number): MethodRow => {
    const draws = Array.from({ length: lshDraws }, () => scoreOf(lsh.rankDraw(qv, dv, dims, maxK)))
    const sd = sampleSd(draws.map((d) => d.map[100]!))
    return { key, method, search: `Hamming, brute force; mean of ${lshDraws} draws`, s: meanScores(draws, ks), sd, draws }
  }

  const rows: MethodRow[] = [{ key: 'codes', method: `(a) MiLaN ${bits}-bit codes`, search: 'Hamming, HashIndex.knn', s: scoreOf(codes.ranked) }]

  // (b) The float activations, exact cosine; (c) LSH over them.
  rows.push({ key: 'float', method: `(b) float activations (${bits} tanh)`, search: 'exact cosine', s: scoreOf(cosineRanking(queries.acts, db.acts, bits, maxK)) })
  rows.push(lshRow('lshActs', `(c) random-projection LSH, ${bits} bits, over (b)`, queries.acts, db.acts, bits))

  // (b2, c2) The pooled CNN features the hash head reads (centred with the database mean), when the model exports them.
  if (db.feats && queries.feats) {
    const w = db.feats.width
    const mean = new Float64Array(w)
    db.feats.values.forEach((v, i) => (mean[i % w] = mean[i % w]! + v / setup.dbN))
    const dbF = db.feats.values.map((v, i) => v - mean[i % w]!)
    const qF = queries.feats.values.map((v, i) => v - mean[i % w]!)
    rows.push({ key: 'feats', method: `(b2) float CNN features (${w}, pooled, centred)`, search: 'exact cosine', s: scoreOf(cosineRanking(qF, dbF, w, maxK)) })
    rows.push(lshRow('lshFeats', `(c2) random-projection LSH, ${bits} bits, over (b2)`, qF, dbF, w))
  }

  // (d) Per-band means, standardised with the database's mean and deviation per band; (c3) LSH over them.
  const nb = BIGEARTHNET_BANDS.length
  const mu = Array.from({ length: nb }, (_, b) => db.means.reduce((s, m) => s + m[b]!, 0) / setup.dbN)
  const sigma = Array.from({ length: nb }, (_, b) => Math.sqrt(db.means.reduce((s, m) => s + (m[b]! - mu[b]!) ** 2, 0) / setup.dbN) || 1)
  const z = (m: number[]): number[] => m.map((v, b) => (v - mu[b]!) / sigma[b]!)
  const dbZ = db.means.map(z)
  const qZ = queries.means.map(z)
  rows.push(lshRow('lshMeans', `(c3) random-projection LSH, ${bits} bits, over (d)`, Float32Array.from(qZ.flat()), Float32Array.from(dbZ.flat()), nb))
  rows.push({ key: 'means', method: '(d) per-band means (12 bands)', search: 'Euclidean, standardised', s: scoreOf(euclideanRanking(qZ, dbZ, maxK)) })

  // Chance: a seeded random order of the database per query.
  rows.push({ key: 'chance', method: 'chance (random order)', search: '—', s: scoreOf(chanceRanking(setup.seed + 1, setup.queryN, setup.dbN, maxK)) })

  return { rows, codes }
}
