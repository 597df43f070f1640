import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { demoPatch } from '../../../src-main/demo/archive'
import { BIGEARTHNET_BANDS } from '../../../src-main/sentinel2/bands'
import type { PatchImage } from '../../../src-main/sentinel2/patchImage'
import { listModels, loadModel } from '../../../src-main/inference/card'
import { Encoder } from '../../../src-main/inference/encoder'
import { demoPatchImage, resolvePixels } from '../../../src-main/pixels/pixelSources'
import { readExample } from '../../../src-main/inference/validate'
import { EUROSAT, ROOT, V1_ARABLE, V1_FOREST_WATER, V2_PATCH, hasSharedData } from './fixtures'

/** The default model, committed with the app. */
const MODELS = join(ROOT, 'resources', 'models')
const DEFAULT = join(MODELS, 'milan-demo-128')
const SEED = 42
/** The model was trained on the train split of demo patches below this index; the test uses patches far above. */
const HELD_OUT_START = 100_000
const HELD_OUT_N = 300

let encoder: Encoder
let images: PatchImage[]
let masks: number[]

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}

/**
 * Leave-one-out mAP@k and mean Jaccard@k of a distance over the held-out set: each patch queries the
 * others; relevant = shares a label; ties by index.
 */
function quality(distance: (a: number, b: number) => number, k: number): { map: number; jaccard: number } {
  const n = masks.length
  let map = 0
  let jaccard = 0
  for (let q = 0; q < n; q++) {
    const others = Array.from({ length: n }, (_, i) => i).filter((i) => i !== q)
    const d = others.map((i) => distance(q, i))
    const order = others.map((_, j) => j).sort((a, b) => d[a]! - d[b]! || a - b)
    let hits = 0
    let sumP = 0
    let sumJ = 0
    for (let r = 0; r < k; r++) {
      const m = masks[others[order[r]!]!]!
      sumJ += popcount(m & masks[q]!) / popcount(m | masks[q]!)
      if ((m & masks[q]!) !== 0) sumP += ++hits / (r + 1)
    }
    map += hits > 0 ? sumP / hits : 0
    jaccard += sumJ / k
  }
  return { map: map / n, jaccard: jaccard / n }
}

beforeAll(async () => {
  encoder = await Encoder.open(DEFAULT)
  const indices = Array.from({ length: HELD_OUT_N }, (_, i) => HELD_OUT_START + i)
  images = indices.map((i) => demoPatchImage(SEED, i))
  masks = indices.map((i) => demoPatch(SEED, i).labelsMask)
})

afterAll(async () => {
  await encoder?.close()
})

describe('the default model (resources/models/milan-demo-128)', () => {
  it('is listed, has a valid card that matches its ONNX file, and says it was trained on the simulated demo archive', async () => {
    expect(listModels(MODELS).map((m) => m.id)).toContain('milan-demo-128')
    const model = await loadModel(DEFAULT)
    try {
      const { card } = model
      expect(card.id).toBe('milan-demo-128')
      expect(card.bits).toBe(128)
      expect(card.input.bands).toEqual([...BIGEARTHNET_BANDS])
      expect(card.model.sha256).toBe(createHash('sha256').update(readFileSync(model.onnxPath)).digest('hex'))
      const data = (card.training as { data: { source: string; splits: Record<string, number> } }).data
      expect(data.source).toMatch(/SIMULATED EarthQube demo archive .*seed 42/)
      expect(data.splits.train).toBeGreaterThan(10_000)
      expect((card.training as { epochs: number }).epochs).toBeGreaterThan(0)
      // The features output (for the evaluation's "deep features + LSH" baseline) is there, though the app never runs it.
      expect(card.output.features).toBe('features')
      expect(model.session.outputNames).toEqual(['codes', 'features'])
    } finally {
      await model.session.release()
    }
  })

  it('encodes demo patches deterministically, the same through resolvePixels as through demoPatchImage', async () => {
    const a = await encoder.encode(images.slice(0, 8))
    const b = await encoder.encode(await Promise.all(images.slice(0, 8).map((im) => resolvePixels(im.path))))
    expect(b).toEqual(a)
    expect(a.every((c) => c.length === 16)).toBe(true)
    // Different patches get different codes.
    expect(new Set(a.map((c) => Buffer.from(c).toString('hex'))).size).toBe(8)
  })

  it.skipIf(!hasSharedData)('encodes the real patches of ../shared/data deterministically', async () => {
    for (const path of [V2_PATCH, V1_ARABLE, V1_FOREST_WATER, EUROSAT]) {
      const image = await readExample(path, encoder.model.card)
      const [first] = await encoder.encode([image])
      const [again] = await encoder.encode([await readExample(path, encoder.model.card)])
      expect(again, path).toEqual(first)
    }
  })

  it('ranks same-label held-out demo patches first: far above chance and above the per-band-means baseline', async () => {
    const codes = await encoder.encode(images)
    const words = codes.map((c) => new Uint32Array(c.buffer, c.byteOffset, 4))
    const hamming = (a: number, b: number): number => {
      let d = 0
      for (let w = 0; w < 4; w++) d += popcount(words[a]![w]! ^ words[b]![w]!)
      return d
    }
    // Baseline: per-band means of the raw bands, standardised over the set, Euclidean.
    const bandMean = (data: ArrayLike<number>): number => {
      let s = 0
      for (let i = 0; i < data.length; i++) s += data[i]!
      return s / data.length
    }
    const means = images.map((im) => BIGEARTHNET_BANDS.map((b) => bandMean(im.bands.get(b)!.data)))
    const mu = BIGEARTHNET_BANDS.map((_, b) => means.reduce((s, m) => s + m[b]!, 0) / means.length)
    const sd = BIGEARTHNET_BANDS.map((_, b) => Math.sqrt(means.reduce((s, m) => s + (m[b]! - mu[b]!) ** 2, 0) / means.length))
    const z = means.map((m) => m.map((v, b) => (v - mu[b]!) / sd[b]!))
    const euclid = (a: number, b: number): number => z[a]!.reduce((s, v, i) => s + (v - z[b]![i]!) ** 2, 0)
    // Chance: the share of relevant patches, averaged over queries.
    let chance = 0
    masks.forEach((m, q) => (chance += masks.filter((o, i) => i !== q && (o & m) !== 0).length / (masks.length - 1)))
    chance /= masks.length

    const milan = quality(hamming, 10)
    const baseline = quality(euclid, 10)
    expect(milan.map).toBeGreaterThan(0.5)
    expect(milan.map).toBeGreaterThan(chance + 0.2)
    expect(milan.map).toBeGreaterThan(baseline.map)
    expect(milan.jaccard).toBeGreaterThan(baseline.jaccard)
  })
})
