/**
 * npm run eval:retrieval — retrieval quality of the default model (resources/models/milan-demo-128) on
 * held-out patches of the SIMULATED demo archive (seed 42), against three baselines:
 *   (a) MiLaN codes, Hamming ranking through HashIndex.knn (exact; ties by id);
 *   (b) the same network's float (tanh) activations, exact cosine ranking;
 *   (c) random-projection LSH: 128 seeded Gaussian hyperplanes over those activations, Hamming ranking;
 *   (d) per-band means of the 12 raw bands, each standardised over the database, Euclidean;
 *   and a seeded random ranking (chance).
 * Held out: the model was trained on the train split of demo patches 0 … 49,999. The database here is
 * patches 100,000 … 109,999 (all splits) and the queries the test-split patches from 110,000 on; none of
 * them was seen in training or used for normalisation statistics.
 * Metrics: mAP@k and precision@k, relevant = shares at least one of the 19 labels (AP@k as in
 * build/milan/train.py: mean of P@i over the relevant ranks i ≤ k); and the mean Jaccard index of the
 * query's and each retrieved patch's label sets over the top k (a graded label-overlap score).
 * Then the real patches in ../shared/data (BigEarthNet v2, v1, EuroSAT) are queries against the same
 * database: their nearest neighbours' label overlap is printed (a sanity check, not a score).
 * Flags: --quick (2,000-patch database, 200 queries, not recorded); --model <folder> (another model; recorded only
 * for the default).
 */
import { existsSync, readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { maskOf, namesOf } from '../src-main/catalog/nomenclature'
import { demoPatch } from '../src-main/demo/archive'
import { HashIndex } from '../src-main/hashindex/hashIndex'
import { BIGEARTHNET_BANDS, findPatchFolders } from '../src-main/ingest/geotiff'
import type { PatchImage } from '../src-main/ingest/geotiff'
import { openRebenFile, readRebenRows } from '../src-main/ingest/reben'
import { Encoder } from '../src-main/inference/encoder'
import { demoPatchImage } from '../src-main/inference/pixelSources'
import { readExample } from '../src-main/inference/validate'
import { v1Labels } from '../build/milan/prepare-dataset'
import { machineLine, recordBenchmark, table } from './report'
import { rng } from '../tests/support'

const modelArg = process.argv.indexOf('--model')
const MODEL = modelArg > 0 ? process.argv[modelArg + 1]! : fileURLToPath(new URL('../resources/models/milan-demo-128', import.meta.url))
const SHARED = fileURLToPath(new URL('../../shared/data', import.meta.url))
const SEED = 42
const TRAINED_BELOW = 50_000
const quick = process.argv.includes('--quick')
const DB_START = 100_000
const DB_N = quick ? 2_000 : 10_000
const QUERY_START = DB_START + DB_N
const QUERY_N = quick ? 200 : 1_000
const KS = [10, 100] as const
const MAX_K = 100

/** mulberry32: the LSH hyperplanes and the chance ranking are the same on every run. */

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}

/** The top `k` database indices of one query by ascending distance, ties by index. */
function topByDistance(dist: Float64Array, k: number): number[] {
  const order = Array.from({ length: dist.length }, (_, i) => i)
  order.sort((a, b) => dist[a]! - dist[b]! || a - b)
  return order.slice(0, k)
}

/** Hamming distances of one packed code (32-bit words) to every database code. */
function hammingAll(q: Uint32Array, db: Uint32Array, words: number): Float64Array {
  const n = db.length / words
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let d = 0
    for (let w = 0; w < words; w++) d += popcount(q[w]! ^ db[i * words + w]!)
    out[i] = d
  }
  return out
}

/** Sign bits of `dims`-dimensional rows → packed 32-bit words (bit j of row = value j > 0). */
function signWords(values: Float32Array, rows: number, dims: number): Uint32Array {
  const words = dims / 32
  const out = new Uint32Array(rows * words)
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dims; j++) if (values[r * dims + j]! > 0) out[r * words + (j >>> 5)]! |= 1 << (j & 31)
  }
  return out
}

/** Scores of rankings: per query the retrieved database indices, best first. */
interface Scores {
  map: Record<number, number>
  precision: Record<number, number>
  jaccard: Record<number, number>
}

function jaccard(a: number, b: number): number {
  const union = popcount(a | b)
  return union === 0 ? 0 : popcount(a & b) / union
}

/** mAP@k, precision@k (relevant = shares ≥ 1 label) and mean Jaccard@k of ranked lists. */
function score(queryMasks: number[], dbMasks: number[], ranked: number[][]): Scores {
  const s: Scores = { map: {}, precision: {}, jaccard: {} }
  for (const k of KS) {
    let ap = 0
    let prec = 0
    let jac = 0
    ranked.forEach((list, q) => {
      const qm = queryMasks[q]!
      let hits = 0
      let sumP = 0
      let sumJ = 0
      for (let i = 0; i < k; i++) {
        const dm = dbMasks[list[i]!]!
        sumJ += jaccard(qm, dm)
        if ((qm & dm) !== 0) {
          hits++
          sumP += hits / (i + 1)
        }
      }
      ap += hits > 0 ? sumP / hits : 0
      prec += hits / k
      jac += sumJ / k
    })
    s.map[k] = ap / ranked.length
    s.precision[k] = prec / ranked.length
    s.jaccard[k] = jac / ranked.length
  }
  return s
}

/** Per-band means of the 12 raw bands (reflectance × 10000) of an image. */
function bandMeans(image: PatchImage): number[] {
  return BIGEARTHNET_BANDS.map((b) => {
    const r = image.bands.get(b)!
    let s = 0
    for (let i = 0; i < r.data.length; i++) s += r.data[i]!
    return s / r.data.length
  })
}

/** Runs images through the encoder in chunks; returns [n, bits] activations and the band means. */
async function embedAll(encoder: Encoder, indices: number[], label: string): Promise<{ acts: Float32Array; means: number[][]; masks: number[] }> {
  const bits = encoder.bits
  const acts = new Float32Array(indices.length * bits)
  const means: number[][] = []
  const masks: number[] = []
  const t0 = performance.now()
  for (let s = 0; s < indices.length; s += 256) {
    const images = indices.slice(s, s + 256).map((i) => demoPatchImage(SEED, i))
    const e = await encoder.run(encoder.tensorOf(images), images.length)
    acts.set(e, s * bits)
    for (const im of images) means.push(bandMeans(im))
    for (const i of indices.slice(s, s + 256)) masks.push(demoPatch(SEED, i).labelsMask)
  }
  process.stderr.write(`${label}: ${indices.length} patches in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`)
  return { acts, means, masks }
}

function fmt(x: number): string {
  return x.toFixed(3)
}

/** Labels of the real reBEN patch from the metadata table (stops at the row). */
async function rebenLabels(parquet: string, name: string): Promise<number | null> {
  if (!existsSync(parquet)) return null
  for await (const row of readRebenRows(await openRebenFile(parquet))) {
    if (row.patch_id === name) return maskOf('ben19', row.labels)
  }
  return null
}

async function main(): Promise<void> {
  const t0 = performance.now()
  const encoder = await Encoder.open(MODEL)
  const bits = encoder.bits
  const words = bits / 32
  const card = encoder.model.card

  const dbIdx = Array.from({ length: DB_N }, (_, i) => DB_START + i)
  const qIdx: number[] = []
  for (let i = QUERY_START; qIdx.length < QUERY_N; i++) if (demoPatch(SEED, i).split === 'test') qIdx.push(i)
  if (Math.min(...dbIdx, ...qIdx) < TRAINED_BELOW) throw new Error('evaluation patches overlap the training range')
  const db = await embedAll(encoder, dbIdx, 'database')
  const qs = await embedAll(encoder, qIdx, 'queries')

  const rankings: { method: string; search: string; ranked: number[][] }[] = []

  // (a) MiLaN codes through the hash index (exact k-NN, ties by id), checked against a brute-force ranking.
  const dbWords = signWords(db.acts, DB_N, bits)
  const qWords = signWords(qs.acts, QUERY_N, bits)
  const index = HashIndex.fromArrays(bits as 128, Int32Array.from(dbIdx, (_, i) => i), dbWords)
  const milan: number[][] = []
  let mismatches = 0
  const tKnn = performance.now()
  for (let q = 0; q < QUERY_N; q++) {
    const code = qWords.subarray(q * words, (q + 1) * words)
    const nn = await index.knn(code, MAX_K)
    milan.push(nn.map((n) => n.id))
    const brute = topByDistance(hammingAll(code, dbWords, words), MAX_K)
    if (brute.some((id, i) => id !== nn[i]!.id)) mismatches++
  }
  const knnMs = (performance.now() - tKnn) / QUERY_N
  index.close()
  rankings.push({ method: `(a) MiLaN ${bits}-bit codes`, search: 'Hamming, HashIndex.knn', ranked: milan })

  // (b) The float activations, exact cosine.
  const norm = (a: Float32Array, n: number): Float32Array => {
    const out = new Float32Array(a.length)
    for (let r = 0; r < n; r++) {
      let s = 0
      for (let j = 0; j < bits; j++) s += a[r * bits + j]! ** 2
      const inv = 1 / Math.sqrt(s || 1)
      for (let j = 0; j < bits; j++) out[r * bits + j] = a[r * bits + j]! * inv
    }
    return out
  }
  const dbN = norm(db.acts, DB_N)
  const qN = norm(qs.acts, QUERY_N)
  rankings.push({
    method: `(b) float activations (${bits} tanh)`,
    search: 'exact cosine',
    ranked: Array.from({ length: QUERY_N }, (_, q) => {
      const d = new Float64Array(DB_N)
      for (let i = 0; i < DB_N; i++) {
        let s = 0
        for (let j = 0; j < bits; j++) s += qN[q * bits + j]! * dbN[i * bits + j]!
        d[i] = -s
      }
      return topByDistance(d, MAX_K)
    }),
  })

  // (c) Random-projection LSH over the same activations: seeded Gaussian hyperplanes (Box–Muller).
  const rand = rng(SEED)
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
  const project = (a: Float32Array, n: number, dims: number, planes: Float32Array): Uint32Array => {
    const p = new Float32Array(n * bits)
    for (let r = 0; r < n; r++) {
      for (let h = 0; h < bits; h++) {
        let s = 0
        for (let j = 0; j < dims; j++) s += planes[h * dims + j]! * a[r * dims + j]!
        p[r * bits + h] = s
      }
    }
    return signWords(p, n, bits)
  }
  const planes = Float32Array.from({ length: bits * bits }, gaussian)
  const lshDb = project(db.acts, DB_N, bits, planes)
  const lshQ = project(qs.acts, QUERY_N, bits, planes)
  rankings.push({
    method: `(c) random-projection LSH, ${bits} bits`,
    search: 'Hamming, brute force',
    ranked: Array.from({ length: QUERY_N }, (_, q) => topByDistance(hammingAll(lshQ.subarray(q * words, (q + 1) * words), lshDb, words), MAX_K)),
  })

  // (d) Per-band means, standardised with the database's mean and deviation per band.
  const nb = BIGEARTHNET_BANDS.length
  const mu = Array.from({ length: nb }, (_, b) => db.means.reduce((s, m) => s + m[b]!, 0) / DB_N)
  const sd = Array.from({ length: nb }, (_, b) => Math.sqrt(db.means.reduce((s, m) => s + (m[b]! - mu[b]!) ** 2, 0) / DB_N) || 1)
  const z = (m: number[]): number[] => m.map((v, b) => (v - mu[b]!) / sd[b]!)
  const dbZ = db.means.map(z)
  // LSH without the learned network: the same kind of hyperplanes over the standardised band means.
  const nbPlanes = Float32Array.from({ length: bits * nb }, gaussian)
  const lshMeansDb = project(Float32Array.from(dbZ.flat()), DB_N, nb, nbPlanes)
  const lshMeansQ = project(Float32Array.from(qs.means.flatMap(z)), QUERY_N, nb, nbPlanes)
  rankings.push({
    method: `(c') random-projection LSH, ${bits} bits, over (d)'s band means`,
    search: 'Hamming, brute force',
    ranked: Array.from({ length: QUERY_N }, (_, q) => topByDistance(hammingAll(lshMeansQ.subarray(q * words, (q + 1) * words), lshMeansDb, words), MAX_K)),
  })
  rankings.push({
    method: '(d) per-band means (12 bands)',
    search: 'Euclidean, standardised',
    ranked: qs.means.map((m) => {
      const qz = z(m)
      const d = new Float64Array(DB_N)
      dbZ.forEach((v, i) => (d[i] = v.reduce((s, x, b) => s + (x - qz[b]!) ** 2, 0)))
      return topByDistance(d, MAX_K)
    }),
  })

  // Chance: a seeded random order of the database per query.
  const shuffle = rng(SEED + 1)
  rankings.push({
    method: 'chance (random order)',
    search: '—',
    ranked: Array.from({ length: QUERY_N }, () => {
      const ids = Array.from({ length: DB_N }, (_, i) => i)
      for (let i = 0; i < MAX_K; i++) {
        const j = i + Math.floor(shuffle() * (DB_N - i))
        ;[ids[i], ids[j]] = [ids[j]!, ids[i]!]
      }
      return ids.slice(0, MAX_K)
    }),
  })

  const scored = rankings.map((r) => ({ ...r, s: score(qs.masks, db.masks, r.ranked) }))
  const floatMap = scored[1]!.s.map[100]!
  const quality = table(
    ['method', 'search', 'mAP@10', 'mAP@100', 'P@10', 'P@100', 'Jaccard@10', 'Jaccard@100', 'mAP@100 / float'],
    scored.map(({ method, search, s }) => [
      method,
      search,
      fmt(s.map[10]!),
      fmt(s.map[100]!),
      fmt(s.precision[10]!),
      fmt(s.precision[100]!),
      fmt(s.jaccard[10]!),
      fmt(s.jaccard[100]!),
      fmt(s.map[100]! / floatMap),
    ]),
  )
  const [a, , c, c2, d] = scored.map((r) => r.s.map[100]!)
  const verdict =
    `Targets: MiLaN codes ≥ 0.9 × float mAP@100: ${a! >= 0.9 * floatMap ? 'met' : 'NOT met'} (${fmt(a! / floatMap)}); ` +
    `above LSH over the same activations: ${a! > c! ? 'met' : 'NOT met'} (${fmt(a! - c!)}); above LSH over band means: ${a! > c2! ? 'met' : 'NOT met'} (+${fmt(a! - c2!)}); above per-band means: ${a! > d! ? 'met' : 'NOT met'} (+${fmt(a! - d!)}).`

  // Real patches as queries against the demo database (codes, Hamming, top 10).
  const real: { path: string; kind: string; mask: number | null; note: string }[] = []
  if (existsSync(SHARED)) {
    const v2 = findPatchFolders(join(SHARED, 'bigearthnet', 'BigEarthNet-S2'))
    for (const p of v2) real.push({ path: p, kind: 'BigEarthNet v2', mask: await rebenLabels(join(SHARED, 'bigearthnet', 'reben-metadata.parquet'), basename(p)), note: '' })
    for (const p of findPatchFolders(join(SHARED, 'bigearthnet', 'v1'))) {
      const labels = v1Labels(p, basename(p))
      real.push({ path: p, kind: 'BigEarthNet v1', mask: labels.reduce((m, b) => m | (1 << b), 0), note: '' })
    }
    const eurosat = join(SHARED, 'eurosat')
    if (existsSync(eurosat)) {
      for (const f of readdirSync(eurosat).filter((f) => /\.tiff?$/i.test(f)).sort()) {
        real.push({ path: join(eurosat, f), kind: 'EuroSAT', mask: null, note: `EuroSAT class ${f.replace(/_\d+\.tiff?$/i, '')}` })
      }
    }
  }
  const realRows: string[][] = []
  if (real.length > 0) {
    const realIndex = HashIndex.fromArrays(bits as 128, Int32Array.from(dbIdx, (_, i) => i), dbWords)
    for (const r of real) {
      const image = await readExample(r.path, card)
      const [code] = await encoder.encode([image])
      const nn = await realIndex.knn(code!, 10)
      const masks = nn.map((n) => db.masks[n.id]!)
      // The labels most often among the neighbours, with their counts.
      const counts = new Map<string, number>()
      for (const m of masks) for (const l of namesOf('ben19', m)) counts.set(l, (counts.get(l) ?? 0) + 1)
      const common = [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, 3).map(([l, n]) => `${l} (${n})`).join('; ')
      const shares = r.mask === null ? '—' : `${masks.filter((m) => (m & r.mask!) !== 0).length}/10`
      const jac = r.mask === null ? '—' : fmt(masks.reduce((s, m) => s + jaccard(r.mask!, m), 0) / 10)
      realRows.push([
        `${r.kind} ${basename(r.path)}`,
        r.mask === null ? r.note : namesOf('ben19', r.mask).join('; '),
        shares,
        jac,
        `${nn[0]!.distance}–${nn[9]!.distance}`,
        common,
      ])
    }
    realIndex.close()
  }
  await encoder.close()

  const seconds = (performance.now() - t0) / 1000
  const text = [
    `Model \`${card.id}\` (${bits} bits; trained on the train split of SIMULATED demo patches 0–${TRAINED_BELOW - 1}, seed ${SEED}). ` +
      `Database: demo patches ${DB_START.toLocaleString('en')}–${(DB_START + DB_N - 1).toLocaleString('en')} (${DB_N.toLocaleString('en')}, all splits); ` +
      `queries: the first ${QUERY_N.toLocaleString('en')} test-split patches from ${QUERY_START.toLocaleString('en')} on — none seen in training. ` +
      'Relevant = shares at least one of the 19 labels; AP@k averages P@i over the relevant ranks i ≤ k; ' +
      'Jaccard@k = mean |labels(q) ∩ labels(r)| / |labels(q) ∪ labels(r)| over the top k (graded overlap). ' +
      'Ties in Hamming distance go by database order. LSH: 128 seeded Gaussian hyperplanes over the tanh activations (no training).',
    '',
    quality,
    '',
    verdict,
    `HashIndex.knn agreed with a brute-force Hamming ranking (distance, then id) on ${QUERY_N - mismatches}/${QUERY_N} queries (top ${MAX_K}); ${knnMs.toFixed(2)} ms per query incl. the check.`,
    '',
    real.length > 0
      ? 'Real patches from `../shared/data` as queries against the demo database (codes, Hamming, top 10; a sanity check across the simulation gap, not a score):\n\n' +
        table(['query', 'its labels / class', 'top 10 sharing a label', 'Jaccard@10', 'Hamming 1st–10th', 'most common labels among the 10'], realRows)
      : 'Real patches: ../shared/data is absent; skipped.',
    '',
    `${machineLine()} Total ${seconds.toFixed(0)} s.`,
  ].join('\n')
  process.stdout.write(`${text}\n`)
  if (quick || modelArg > 0) process.stdout.write('(--quick or --model: not recorded)\n')
  else recordBenchmark('retrieval', 'Retrieval quality (`npm run eval:retrieval`)', text)
}

main().catch((e: unknown) => {
  process.stderr.write(`eval:retrieval: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
  process.exit(1)
})
