/**
 * npm run bench:hash — the hash index on codes shaped like real deep-hash codes (clusters of near-duplicates,
 * not uniform bits): (a) 549,488 codes, the size of BigEarthNet, and (b) 10,000,000. In the same run it times
 * the baselines — a plain-JS linear popcount scan (src-main/hashindex/reference.ts) and usearch's HNSW over
 * binary vectors (metric 'hamming', quantization 'b1', approximate: its recall is printed) — checks every
 * answer against a linear scan, times loading the codes from a catalog file, prints a table and records it in
 * docs/benchmarks.md. Flags: --quick (no 10M set, no usearch, not recorded).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Index as UsearchIndex, MetricKind, ScalarKind } from 'usearch'
import { Catalog } from '../src-main/catalog/catalog'
import { ensureHashModel, loadCodes, storeCodes } from '../src-main/catalog/codes'
import type { CodeBits } from '../src-main/hashcode/hashCode'
import { HashIndex } from '../src-main/hashindex/hashIndex'
import type { SearchOptions } from '../src-main/hashindex/hashIndex'
import type { Neighbor } from '../src-main/hashindex/neighbor'
import { referenceDistances, referenceKnn, referenceRadius } from '../src-main/hashindex/reference'
import { machineLine, percentile, recordBenchmark, table } from './report'
import { insertBarePatches, rng } from '../tests/support'

const BITS: CodeBits = 128
const W = BITS / 32
const K = 100
const RADII = [0, 1, 2, 3]
const quick = process.argv.includes('--quick')
const USEARCH_VERSION = (JSON.parse(readFileSync(new URL('../node_modules/usearch/package.json', import.meta.url), 'utf8')) as { version: string }).version

/** mulberry32: the data sets are the same on every run. */

/**
 * n codes shaped like a deep hash's: one cluster per ~150 codes (a label combination, a landscape), sizes
 * log-normal (a few large clusters, many small), each code its centre with every bit flipped with the
 * cluster's probability (1–8 %: 1–10 bits from the centre); 5 % exact duplicates of an earlier member
 * (the same place on another date), 2 % uniform outliers. Ids 1..n in import order, clusters interleaved.
 */
function clusteredCodes(n: number, seed: number): Uint32Array {
  const random = rng(seed)
  const clusters = Math.max(1, Math.round(n / 150))
  const centres = new Uint32Array(clusters * W)
  for (let i = 0; i < centres.length; i++) centres[i] = (random() * 2 ** 32) >>> 0
  const cumulative = new Float64Array(clusters)
  const logFlip = new Float64Array(clusters)
  let sum = 0
  for (let c = 0; c < clusters; c++) {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
    sum += Math.exp(1.5 * normal)
    cumulative[c] = sum
    logFlip[c] = Math.log(1 - (0.01 + 0.07 * random()))
  }
  const last = new Int32Array(clusters).fill(-1)
  const words = new Uint32Array(n * W)
  for (let i = 0; i < n; i++) {
    const o = i * W
    if (random() < 0.02) {
      for (let w = 0; w < W; w++) words[o + w] = (random() * 2 ** 32) >>> 0
      continue
    }
    // Cluster by inverse CDF.
    const u = random() * sum
    let lo = 0
    let hi = clusters - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cumulative[mid]! < u) lo = mid + 1
      else hi = mid
    }
    const c = lo
    if (last[c]! >= 0 && random() < 0.05) {
      words.copyWithin(o, last[c]! * W, last[c]! * W + W)
      continue
    }
    for (let w = 0; w < W; w++) words[o + w] = centres[c * W + w]!
    // Bernoulli flips by geometric jumps between flipped bits.
    for (let bit = Math.floor(Math.log(1 - random()) / logFlip[c]!); bit < BITS; bit += 1 + Math.floor(Math.log(1 - random()) / logFlip[c]!)) {
      words[o + (bit >>> 5)]! ^= 1 << (bit & 31)
    }
    last[c] = i
  }
  return words
}

function code(words: Uint32Array, i: number): Uint32Array {
  return words.slice(i * W, (i + 1) * W)
}

function sameResult(a: Neighbor[], b: Neighbor[]): boolean {
  return a.length === b.length && a.every((x, i) => x.id === b[i]!.id && x.distance === b[i]!.distance)
}

async function timeEach<T>(items: T[], run: (item: T) => Promise<unknown> | unknown): Promise<number[]> {
  const times: number[] = []
  for (const item of items) {
    const t = performance.now()
    await run(item)
    times.push(performance.now() - t)
  }
  return times
}

const ms = (x: number): string => (x < 1 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(0))
const sec = (x: number): string => `${(x / 1000).toFixed(2)} s`
const minutes = (x: number): string => `${Math.round(x / 60_000)} min`
const times = (a: number, b: number): string => `${(a / b).toFixed(a / b < 10 ? 1 : 0)}×`

interface SetResult {
  n: number
  buildMs: number
  memoryPerCode: number
  knn: number[]
  knnLinear: number[]
  radius: number[][]
  jsKnn: number[]
  jsRadius: number[]
  exact: boolean
  checked: number
  plans: string
  layout: string
}

/** Builds the index over one data set and times searches, baselines and exactness. */
async function runSet(label: string, words: Uint32Array, queries: number, jsQueries: number): Promise<{ result: SetResult; index: HashIndex; ids: Int32Array }> {
  const n = words.length / W
  const ids = Int32Array.from({ length: n }, (_, i) => i + 1)
  const builds: number[] = []
  let index: HashIndex | null = null
  for (let b = 0; b < (n > 2e6 ? 1 : 3); b++) {
    index?.close()
    const t = performance.now()
    index = HashIndex.fromArrays(BITS, ids, words)
    builds.push(performance.now() - t)
  }
  const built = index!
  const random = rng(n)
  const picks = Array.from({ length: queries }, () => Math.floor(random() * n))
  const qs = picks.map((i) => code(words, i))
  // Warm-up: workers start, code paths compile.
  for (const q of qs.slice(0, 10)) {
    await built.knn(q, K)
    await built.knn(q, K, { strategy: 'linear' })
    await built.radius(q, 3)
  }
  const before = built.stats().plans
  const knn = await timeEach(qs, (q) => built.knn(q, K))
  const radius: number[][] = []
  for (const r of RADII) radius.push(await timeEach(qs, (q) => built.radius(q, r)))
  const after = built.stats().plans
  const knnLinear = await timeEach(qs, (q) => built.knn(q, K, { strategy: 'linear' }))
  // Exactness: every answer against the index's linear scan; a subset against the plain-JS scan.
  let exact = true
  for (const q of qs) {
    const linear: SearchOptions = { strategy: 'linear' }
    exact &&= sameResult(await built.knn(q, K), await built.knn(q, K, linear))
    for (const r of RADII) exact &&= sameResult(await built.radius(q, r), await built.radius(q, r, linear))
  }
  const jsQs = qs.slice(0, jsQueries)
  const jsKnn = await timeEach(jsQs, (q) => referenceKnn(BITS, ids, words, q, K))
  const jsRadius = await timeEach(jsQs, (q) => referenceRadius(BITS, ids, words, q, 3))
  for (const q of jsQs) {
    exact &&= sameResult(await built.knn(q, K), referenceKnn(BITS, ids, words, q, K))
    exact &&= sameResult(await built.radius(q, 3), referenceRadius(BITS, ids, words, q, 3))
  }
  const plans = Object.entries(after)
    .map(([plan, c]) => [plan, c - before[plan as keyof typeof before]] as const)
    .filter(([, c]) => c > 0)
    .map(([plan, c]) => `${plan} ${c}`)
    .join(', ')
  const stats = built.stats()
  const layout = `m = ${stats.tables} tables of ${[...new Set(stats.substringBits)].join('/')} bits, ${stats.workers} scan workers`
  console.log(`${label}: built in ${ms(percentile(builds, 50))} ms, ${layout}; plans: ${plans}`)
  return {
    index: built,
    ids,
    result: {
      n,
      buildMs: percentile(builds, 50),
      memoryPerCode: built.memoryBytes() / n,
      knn,
      knnLinear,
      radius,
      jsKnn,
      jsRadius,
      exact,
      checked: qs.length,
      plans,
      layout,
    },
  }
}

interface UsearchResult {
  buildMs: number
  search: number[]
  recall: number
}

/** usearch HNSW over the same codes as binary vectors; recall@k counts ties at the k-th distance as hits. */
async function runUsearch(words: Uint32Array, ids: Int32Array, index: HashIndex, queries: Uint32Array[]): Promise<UsearchResult> {
  const n = ids.length
  const vectors = new Float32Array(n * BITS)
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < BITS; b++) vectors[i * BITS + b] = (words[i * W + (b >>> 5)]! >>> (b & 31)) & 1
  }
  const hnsw = new UsearchIndex({ dimensions: BITS, metric: MetricKind.Hamming, quantization: ScalarKind.B1, connectivity: 16, expansion_add: 128, expansion_search: 64, multi: false })
  const t = performance.now()
  hnsw.add(BigUint64Array.from(ids, (id) => BigInt(id)), vectors, 0)
  const buildMs = performance.now() - t
  const toVector = (q: Uint32Array): Float32Array => Float32Array.from({ length: BITS }, (_, b) => (q[b >>> 5]! >>> (b & 31)) & 1)
  const qv = queries.map(toVector)
  for (const v of qv.slice(0, 10)) hnsw.search(v, K, 1)
  const search = await timeEach(qv, (v) => hnsw.search(v, K, 1))
  let hits = 0
  for (let j = 0; j < queries.length; j++) {
    const exact = await index.knn(queries[j]!, K)
    const cut = exact[exact.length - 1]!.distance
    const distances = referenceDistances(BITS, words, queries[j]!)
    const found = hnsw.search(qv[j]!, K, 1).keys
    for (const key of found) if (distances[Number(key) - 1]! <= cut) hits++
  }
  return { buildMs, search, recall: hits / (queries.length * K) }
}

interface CatalogLoad {
  /** First load in this process (JIT cold, as when the app starts), then the median of three more. */
  coldMs: number
  coldReadMs: number
  warmMs: number
  warmReadMs: number
  storeMs: number
}

let firstLoadMs = NaN

/** A catalog file with n patches and their codes; times loadCodes + HashIndex.fromArrays. */
function catalogLoad(words: Uint32Array): CatalogLoad {
  const n = words.length / W
  const dir = mkdtempSync(join(tmpdir(), 'earthqube-hash-bench-'))
  try {
    const catalog = Catalog.open(join(dir, 'catalog.db'))
    const t0 = performance.now()
    insertBarePatches(catalog.db, n, 'S2A_synthetic_')
    ensureHashModel(catalog.db, 'bench', BITS)
    const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength)
    storeCodes(
      catalog.db,
      'bench',
      (function* () {
        for (let i = 0; i < n; i++) yield { patchId: i + 1, code: bytes.subarray(i * W * 4, (i + 1) * W * 4) }
      })(),
    )
    const storeMs = performance.now() - t0
    // The first load after indexing reads the rows and writes the packed snapshot (the app does this at
    // its first start after `earthqube index`); every later load, timed below, reads the snapshot.
    const t1 = performance.now()
    loadCodes(catalog.db, 'bench')
    firstLoadMs = performance.now() - t1
    catalog.close()
    const loads: number[] = []
    const reads: number[] = []
    for (let r = 0; r < 4; r++) {
      const reopened = Catalog.open(join(dir, 'catalog.db'), { readonly: true })
      const t = performance.now()
      const { bits, ids, words: loaded } = loadCodes(reopened.db, 'bench')
      reads.push(performance.now() - t)
      const index = HashIndex.fromArrays(bits, ids, loaded)
      loads.push(performance.now() - t)
      index.close()
      reopened.close()
    }
    return { coldMs: loads[0]!, coldReadMs: reads[0]!, warmMs: percentile(loads.slice(1), 50), warmReadMs: percentile(reads.slice(1), 50), storeMs }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const p50 = (x: number[]): number => percentile(x, 50)
const p95 = (x: number[]): number => percentile(x, 95)
const yesNo = (ok: boolean): string => (ok ? 'yes' : '**no**')

const started = performance.now()
const loadBefore = loadavg()[0]!
console.log(machineLine())

// (a) the BigEarthNet size; the catalog load first, while the JIT is cold as when the app starts.
const wordsA = clusteredCodes(549_488, 1)
const load = catalogLoad(wordsA)
const loadCell = (total: number, read: number): string => `${ms(total)} ms (${ms(read)} + ${ms(total - read)})`
console.log(`(a) catalog: first load (rows → packed snapshot) ${firstLoadMs.toFixed(0)} ms`)
console.log(`(a) catalog: stored in ${sec(load.storeMs)}; loadCodes + fromArrays cold ${loadCell(load.coldMs, load.coldReadMs)}, warm ${loadCell(load.warmMs, load.warmReadMs)}`)
const a = await runSet('(a) 549,488 codes', wordsA, 300, 20)
let us: UsearchResult | null = null
if (!quick) {
  const random = rng(99)
  const qs = Array.from({ length: 200 }, () => code(wordsA, Math.floor(random() * a.ids.length)))
  us = await runUsearch(wordsA, a.ids, a.index, qs)
  console.log(`(a) usearch: built in ${sec(us.buildMs)}, recall@${K} ${us.recall.toFixed(3)}`)
}
a.index.close()

// (b) ten million.
let b: Awaited<ReturnType<typeof runSet>> | null = null
if (!quick) {
  const wordsB = clusteredCodes(10_000_000, 2)
  b = await runSet('(b) 10,000,000 codes', wordsB, 100, 5)
  b.index.close()
}

const loadAfter = loadavg()[0]!
const ra = a.result
const rb = b?.result
const radiusP50 = (r: SetResult): number => Math.max(...r.radius.map(p50))
const radiusCells = (r: SetResult): string => r.radius.map((t, i) => `r=${RADII[i]}: ${ms(p50(t))}`).join(', ')
const usearchRate = us ? us.buildMs / ra.n : 0
const rows: (string | number)[][] = [
  ['(a) build index (549,488 codes)', `${ms(ra.buildMs)} ms`, '', us ? sec(us.buildMs) : 'not run', '≤ 2 s', yesNo(ra.buildMs <= 2000)],
  ['(a) first load after indexing (rows → packed snapshot, once)', `${firstLoadMs.toFixed(0)} ms`, '', '', '', ''],
  ['(a) load from the catalog, cold (loadCodes + fromArrays)', loadCell(load.coldMs, load.coldReadMs), '', '', '≤ 1 s', yesNo(load.coldMs <= 1000)],
  ['(a) the same, warm (median of 3)', loadCell(load.warmMs, load.warmReadMs), '', '', '≤ 1 s', yesNo(load.warmMs <= 1000)],
  [`(a) kNN k=${K} p50 / p95 ms`, `${ms(p50(ra.knn))} / ${ms(p95(ra.knn))}`, `${ms(p50(ra.jsKnn))} / ${ms(p95(ra.jsKnn))}`, us ? `${ms(p50(us.search))} / ${ms(p95(us.search))}` : 'not run', '≤ 1 ms', yesNo(p50(ra.knn) <= 1)],
  [`(a) kNN k=${K}, forced wasm scan p50 ms`, ms(p50(ra.knnLinear)), '', '', '', ''],
  ['(a) radius p50 ms', radiusCells(ra), `r=3: ${ms(p50(ra.jsRadius))}`, '', '≤ 0.2 ms', yesNo(radiusP50(ra) <= 0.2)],
  [`(a) recall@${K} vs exact`, ra.exact ? '1.0' : '**< 1**', '1.0', us ? us.recall.toFixed(3) : '', '1.0', yesNo(ra.exact)],
  ['(a) memory per code', `${ra.memoryPerCode.toFixed(1)} B`, '16 B (codes only)', '', '', ''],
  ['(a) speed-up kNN p50', `${times(p50(ra.jsKnn), p50(ra.knn))} vs JS`, '', us ? `${times(p50(us.search), p50(ra.knn))} (usearch faster, approximate)` : '', '', ''],
  ['(a) speed-up radius r≤3 p50 vs JS', times(p50(ra.jsRadius), radiusP50(ra)), '', '', '', ''],
]
if (rb) {
  rows.push(
    ['(b) build index (10,000,000 codes)', sec(rb.buildMs), '', `not run (≈ ${minutes(usearchRate * rb.n)} at (a)'s rate)`, '', ''],
    [`(b) kNN k=${K} p50 / p95 ms`, `${ms(p50(rb.knn))} / ${ms(p95(rb.knn))}`, `${ms(p50(rb.jsKnn))} / ${ms(p95(rb.jsKnn))}`, 'not run', '≤ 12 ms', yesNo(p50(rb.knn) <= 12)],
    [`(b) kNN k=${K}, forced wasm scan p50 ms`, ms(p50(rb.knnLinear)), '', '', '', ''],
    ['(b) radius p50 ms', radiusCells(rb), `r=3: ${ms(p50(rb.jsRadius))}`, '', '≤ 2 ms', yesNo(radiusP50(rb) <= 2)],
    [`(b) recall@${K} vs exact`, rb.exact ? '1.0' : '**< 1**', '1.0', '', '1.0', yesNo(rb.exact)],
    ['(b) memory per code', `${rb.memoryPerCode.toFixed(1)} B`, '', '', '≤ 32 B', yesNo(rb.memoryPerCode <= 32)],
    ['(b) speed-up kNN / radius r≤3 p50 vs JS', `${times(p50(rb.jsKnn), p50(rb.knn))} / ${times(p50(rb.jsRadius), radiusP50(rb))}`, '', '', '', ''],
  )
}

const notes = [
  `${BITS}-bit codes, clustered (log-normal cluster sizes, 1–8 % bit noise, 5 % duplicates, 2 % outliers); queries are archive codes (query by example).`,
  `(a) ${ra.layout}; ${ra.checked} queries per measure (JS baseline ${ra.jsKnn.length}); plans: ${ra.plans}.`,
  rb ? `(b) ${rb.layout}; ${rb.checked} queries per measure (JS baseline ${rb.jsKnn.length}); plans: ${rb.plans}.` : '(b) not run (--quick).',
  'Exact = every kNN and radius answer equals the linear scan (and the plain-JS scan on the baseline queries).',
  us
    ? `usearch ${USEARCH_VERSION}: HNSW, metric hamming, quantization b1, connectivity 16, expansion add/search 128/64, built on all cores; recall@${K} counts any returned code within the exact k-th distance. Not run on (b): at (a)'s build rate it would take ≈ ${minutes(usearchRate * 10_000_000)}.`
    : 'usearch not run (--quick).',
  `Catalog: ${ra.n.toLocaleString('en')} patches and codes written in ${sec(load.storeMs)} (not a target); loads are timed on the reopened file, cold = the first in this process.`,
  `Load average (1 min) ${loadBefore.toFixed(2)} before and ${loadAfter.toFixed(2)} after the run: the 10M scans need both cores; other work on them slows (b) directly.`,
]
const text = [machineLine(), '', table(['measure', 'EarthQube', 'plain-JS scan', 'usearch HNSW (b1)', 'target', 'met'], rows), '', ...notes.map((x) => `- ${x}`)].join('\n')
console.log(`\n${text}\n\nbench:hash finished in ${sec(performance.now() - started)}`)
if (!quick) recordBenchmark('hash', 'Hash index (`npm run bench:hash`)', text)
