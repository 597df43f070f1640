import type { PatchRecord } from '../catalog/catalog'
import { namesOf } from '../catalog/nomenclature'
import type { Ring, UtmBox } from '../geo/utm'
import { footprintOf, patchUtmBox } from '../geo/utm'
import { Permutation, STREAM, patchRng, uniform } from './random'
import type { DemoProduct, DemoStatistics } from './statistics'
import { demoStatistics } from './statistics'

/** Name of the catalog archive the demo goes into: it says the imagery is simulated. */
export const DEMO_ARCHIVE = 'EarthQube demo (simulated)'
/** Seed of the shipped demo archive. */
export const DEMO_DEFAULT_SEED = 42
/** Patches in the default demo archive. */
export const DEMO_DEFAULT_N = 50_000
/** The largest demo archive: as many patches as reBEN has (every reBEN cell used once). */
export const DEMO_MAX_N = 549_488
/**
 * Processing baseline written into demo patch names. reBEN names say N9999; the demo says N0000, so a
 * demo patch can never take the name (and so the catalog row) of a real reBEN patch in the same catalog.
 */
export const DEMO_BASELINE = 'N0000'

/** Metadata of one simulated patch: a pure function of (seed, index). */
export interface DemoPatch {
  seed: number
  index: number
  /** reBEN-style patch_id, e.g. S2A_MSIL2A_20170613T101031_N0000_R022_T33UUP_75_43. */
  name: string
  /** The product folder of the patch in a BigEarthNet v2 layout (the name without _X_Y). */
  product: string
  satellite: 'S2A' | 'S2B'
  /** Acquisition time, UTC seconds since 1970. */
  acquiredAt: number
  /** Month of the acquisition, 1–12. */
  month: number
  /** Day of the year of the acquisition, 1–366. */
  dayOfYear: number
  orbit: number
  tile: string
  x: number
  y: number
  country: string
  /** ben19 label mask. */
  labelsMask: number
  labels: string[]
  split: 'train' | 'validation' | 'test'
  snow: boolean
  /** The simulation draws no clouds or shadows. */
  cloud: false
}

/** Checks a demo archive size: a whole number from 1 to 549,488 (the patches of reBEN). */
export function checkDemoSize(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > DEMO_MAX_N) {
    throw new Error(`demo archive size ${n} is not a whole number from 1 to ${DEMO_MAX_N.toLocaleString('en')} (the patches of reBEN)`)
  }
  return n
}

/** Checks a demo seed: a whole number from 0 to 4294967295. */
export function checkDemoSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new Error(`demo seed ${seed} is not a whole number from 0 to 4294967295`)
  }
  return seed
}

/** The scheme of demo pixels paths: `demo://<seed>/<index>`. */
export const DEMO_PIXELS_SCHEME = 'demo://'

/** Where a demo patch's pixels come from: regenerated from the seed, never stored. */
export function demoPixelsPath(seed: number, index: number): string {
  return `${DEMO_PIXELS_SCHEME}${seed}/${index}`
}

/** The seed and index a `demo://<seed>/<index>` pixels path names, or null for any other path. */
export function parseDemoPixelsPath(path: string): { seed: number; index: number } | null {
  const m = /^demo:\/\/(\d{1,10})\/(\d{1,7})$/.exec(path)
  if (!m) return null
  const seed = Number(m[1])
  const index = Number(m[2])
  return seed <= 0xffff_ffff && index < DEMO_MAX_N ? { seed, index } : null
}

/** What demoPatch precomputes once per table and seed. */
interface Sampler {
  stats: DemoStatistics
  /** First slot of each product; slots are the reBEN cells, product after product. */
  productStart: Float64Array
  /** Per country, cumulative label-set counts for drawing a set. */
  labelCumulative: Map<string, Float64Array>
  permutations: Map<number, Permutation>
}

let sampler: Sampler | undefined

function getSampler(): Sampler {
  if (sampler) return sampler
  const stats = demoStatistics()
  if (stats.patches !== DEMO_MAX_N) throw new Error(`the demo statistics table counts ${stats.patches} patches, expected ${DEMO_MAX_N}`)
  const productStart = new Float64Array(stats.products.length + 1)
  stats.products.forEach((p, i) => (productStart[i + 1] = productStart[i]! + p.patches))
  const labelCumulative = new Map<string, Float64Array>()
  for (const c of stats.countries) {
    const cum = new Float64Array(c.labelCounts.length)
    let acc = 0
    c.labelCounts.forEach((n, i) => (cum[i] = acc += n))
    labelCumulative.set(c.name, cum)
  }
  sampler = { stats, productStart, labelCumulative, permutations: new Map() }
  return sampler
}

/** First index i with cum[i] > u (cum ascending). */
function search(cum: Float64Array, u: number): number {
  let lo = 0
  let hi = cum.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (cum[mid]! > u) hi = mid
    else lo = mid + 1
  }
  return lo
}

function dayOfYear(epochSeconds: number): number {
  const d = new Date(epochSeconds * 1000)
  return Math.floor((epochSeconds * 1000 - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1
}

/** The product folder name of a product in the demo (reBEN's, with the demo's processing baseline). */
function productName(p: DemoProduct): string {
  return `${p.satellite}_MSIL2A_${p.datetime}_${DEMO_BASELINE}_R${String(p.orbit).padStart(3, '0')}_T${p.tile}`
}

/**
 * Metadata of patch `index` of the demo archive of `seed`. It depends on (seed, index) only: the first n
 * patches of any larger archive are the archive of n. A seeded permutation of reBEN's 549,488 patch cells
 * (product × X × Y) gives each patch its own cell, so names never repeat and a sample follows reBEN's
 * spread over countries, tiles and dates; the label set is drawn from its country's label sets (so
 * frequencies and co-occurrences follow reBEN), the split from reBEN's split shares, snow from the
 * product's share of snowy patches. `n` is the archive's size, checked against the index.
 */
export function demoPatch(seed: number, index: number, n: number = DEMO_MAX_N): DemoPatch {
  checkDemoSeed(seed)
  checkDemoSize(n)
  if (!Number.isInteger(index) || index < 0 || index >= n) {
    throw new Error(`demo patch index ${index} is not in 0 … ${n - 1} (an archive of ${n} patches)`)
  }
  const s = getSampler()
  let permutation = s.permutations.get(seed)
  if (!permutation) {
    if (s.permutations.size > 8) s.permutations.clear()
    permutation = new Permutation(DEMO_MAX_N, seed)
    s.permutations.set(seed, permutation)
  }
  const slot = permutation.at(index)
  const p = search(s.productStart, slot) - 1
  const product = s.stats.products[p]!
  const cell = product.cells[slot - s.productStart[p]!]!
  const x = cell % s.stats.grid
  const y = Math.floor(cell / s.stats.grid)

  const rng = patchRng(seed, index, STREAM.metadata)
  const country = s.stats.countries.find((c) => c.name === product.country)!
  const cum = s.labelCumulative.get(country.name)!
  const labelsMask = country.labelMasks[search(cum, uniform(rng) * country.labelSetsCovered)]!
  const { train, validation, test } = s.stats.splits
  const u = uniform(rng) * (train + validation + test)
  const split = u < train ? 'train' : u < train + validation ? 'validation' : 'test'
  const snow = uniform(rng) * product.patches < product.snow
  const folder = productName(product)
  return {
    seed,
    index,
    name: `${folder}_${x}_${y}`,
    product: folder,
    satellite: product.satellite,
    acquiredAt: product.acquiredAt,
    month: product.month,
    dayOfYear: dayOfYear(product.acquiredAt),
    orbit: product.orbit,
    tile: product.tile,
    x,
    y,
    country: product.country,
    labelsMask,
    labels: namesOf('ben19', labelsMask),
    split,
    snow,
    cloud: false,
  }
}

/** The UTM square and WGS 84 footprint of a demo patch, by the BigEarthNet tile rule. */
export function demoGeometry(patch: DemoPatch): { utm: UtmBox; footprint: Ring } {
  const utm = patchUtmBox(patch.tile, patch.x, patch.y)
  return { utm, footprint: footprintOf(utm) }
}

/** The catalog record of a demo patch; its pixels path regenerates its pixels. */
export function demoRecord(patch: DemoPatch): PatchRecord {
  return {
    name: patch.name,
    satellite: patch.satellite,
    acquiredAt: patch.acquiredAt,
    country: patch.country,
    tile: patch.tile,
    ...demoGeometry(patch),
    labelsMask: patch.labelsMask,
    split: patch.split,
    snow: patch.snow,
    cloud: patch.cloud,
    pixelsPath: demoPixelsPath(patch.seed, patch.index),
  }
}

/** Catalog records of the demo archive of `seed` with `n` patches, in index order. */
export function* demoRecords(seed: number, n: number): Generator<PatchRecord> {
  checkDemoSeed(seed)
  checkDemoSize(n)
  for (let i = 0; i < n; i++) yield demoRecord(demoPatch(seed, i, n))
}
