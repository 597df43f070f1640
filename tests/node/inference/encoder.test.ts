import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PatchImage } from '../../../src-main/sentinel2/patchImage'
import { BIGEARTHNET_BANDS } from '../../../src-main/sentinel2/bands'
import { readPatchImage } from '../../../src-main/sentinel2/geotiff'
import { Encoder } from '../../../src-main/inference/encoder'
import { packCodes } from '../../../src-main/hashcode/hashCode'
import { inProcessEncoderWorker, threadEncoderWorkerFactory } from '../../../src-main/inference/indexWorker'
import { EUROSAT, V1_ARABLE, V1_FOREST_WATER, V2_PATCH, hasSharedData, rng, syntheticImage, tinyModel, trainerPython } from './fixtures'
import { hammingBytes as hamming } from '../../support'

const hasTorch = trainerPython() !== null
const canRun = hasTorch && hasSharedData
if (hasTorch && !hasSharedData) console.warn('[inference tests] ../shared/data is absent: encoder tests on real patches are skipped')

let model: string
let encoder: Encoder
let arable: PatchImage
let v2: PatchImage
let forestWater: PatchImage

/** Hamming distance of two codes. */

/** The image with every pixel scaled by a random factor within ±2 %. */
function noised(image: PatchImage, seed: number): PatchImage {
  const rand = rng(seed)
  const bands = new Map(
    [...image.bands].map(([b, r]) => [b, { ...r, data: Uint16Array.from(r.data as Uint16Array, (v) => Math.max(1, Math.round(v * (1 + 0.04 * (rand() - 0.5))))) }]),
  )
  return { ...image, bands }
}

beforeAll(async () => {
  if (!canRun) return
  model = tinyModel(8)!
  encoder = await Encoder.open(model)
  ;[arable, v2, forestWater] = await Promise.all([readPatchImage(V1_ARABLE), readPatchImage(V2_PATCH), readPatchImage(V1_FOREST_WATER)])
})
afterAll(async () => {
  await encoder?.close()
})

describe('packCodes', () => {
  it('sets bit j (byte j >> 3, bit j & 7) exactly when activation j > 0', () => {
    const acts = new Float32Array(64 * 2).fill(-0.5)
    acts[0] = 0.1 // code 0, bit 0
    acts[9] = 0.9 // code 0, bit 9 → byte 1, bit 1
    acts[63] = 1e-6 // code 0, bit 63 → byte 7, bit 7
    acts[64 + 5] = 0 // code 1: 0 is not > 0
    const [a, b] = packCodes(acts, 2, 64)
    expect(Array.from(a!)).toEqual([1, 2, 0, 0, 0, 0, 0, 128])
    expect(Array.from(b!)).toEqual([0, 0, 0, 0, 0, 0, 0, 0])
  })
})

describe.skipIf(!canRun)('Encoder on real patches', () => {
  it('gives codes of the card\'s bit count, the same on every run', async () => {
    const [a, b, c] = await encoder.encode([arable, v2, forestWater])
    for (const code of [a, b, c]) expect(code!.length).toBe(128 / 8)
    const again = await encoder.encode([arable, v2, forestWater])
    expect(again).toEqual([a, b, c])
    const fresh = await Encoder.open(model, { threads: 2 })
    expect(await fresh.encode([arable, v2, forestWater])).toEqual([a, b, c])
    await fresh.close()
  })

  it('codes are the signs of the embeddings (tanh activations)', async () => {
    const [e] = await encoder.embed([v2])
    const [code] = await encoder.encode([v2])
    expect(e!.length).toBe(128)
    for (let j = 0; j < 128; j++) {
      expect(Math.abs(e![j]!)).toBeLessThan(1)
      expect(((code![j >> 3]! >> (j & 7)) & 1) === 1).toBe(e![j]! > 0)
    }
  })

  it('gives the features output the card names: 128 pooled values per image, batch-independent, ≥ 0 (after ReLU)', async () => {
    expect(encoder.model.card.output.features).toBe('features')
    const tensor = encoder.tensorOf([arable, v2, forestWater])
    const all = await encoder.features(tensor, 3)
    expect(all.width).toBe(128)
    expect(all.values.length).toBe(3 * 128)
    expect(all.values.every((v) => v >= 0 && Number.isFinite(v))).toBe(true)
    const one = await new Encoder(encoder.model, 1).features(tensor, 3)
    expect(one.values).toEqual(all.values)
    const other = await encoder.features(encoder.tensorOf([v2]), 1)
    expect(other.values).toEqual(all.values.slice(128, 256))
  })

  it('a model without a features output says so when asked for features', async () => {
    const card = { ...encoder.model.card, output: { name: 'codes', activation: 'tanh' as const } }
    const bare = new Encoder({ ...encoder.model, card })
    await expect(bare.features(encoder.tensorOf([v2]), 1)).rejects.toThrow(/model test-milan has no features output \(its card's output\.features is not set\)/)
  })

  it('batches do not change results (one at a time = all at once = in a worker thread)', async () => {
    const small = new Encoder(encoder.model, 2)
    const all = await small.encode([arable, v2, forestWater, arable, v2])
    const one = [await encoder.encode([arable]), await encoder.encode([v2]), await encoder.encode([forestWater])].map((c) => c[0])
    expect(all.slice(0, 3)).toEqual(one)
    expect(all.slice(3)).toEqual(one.slice(0, 2))
    const worker = await threadEncoderWorkerFactory()(model, { threads: 1 })
    try {
      const r = await worker.encodePaths([V1_ARABLE, V2_PATCH, '/no/such/patch'])
      expect(r.codes.slice(0, 2)).toEqual(one.slice(0, 2))
      expect(r.codes[2]).toBeNull()
      expect(r.errors[2]).toMatch(/cannot read \/no\/such\/patch/)
    } finally {
      await worker.close()
    }
  })

  it('a patch and a slightly noised copy are closer than a very different patch', async () => {
    const [a, n, far] = await encoder.encode([arable, noised(arable, 3), forestWater])
    const near = hamming(a!, n!)
    const different = hamming(a!, far!)
    expect(near).toBeLessThan(different)
    expect(near).toBeLessThanOrEqual(4)
  })

  it('encodes a EuroSAT file (64 px, 13 bands, B10 dropped) like any patch', async () => {
    const image = await readPatchImage(EUROSAT)
    const [code] = await encoder.encode([image])
    expect(code!.length).toBe(16)
  })

  it('a bad image is a readable error and the encoder keeps working', async () => {
    const partial = syntheticImage({ B02: 500, B03: 600 })
    await expect(encoder.encode([arable, partial])).rejects.toThrow(/image\.tif has no B01, B04, .* bands; model test-milan needs B01, B02/)
    expect((await encoder.encode([arable]))[0]!.length).toBe(16)
    const inProcess = await inProcessEncoderWorker(model, {})
    expect(inProcess.bits).toBe(128)
    await inProcess.close()
  })

  it('the card records what the model was trained on and how it did', () => {
    const card = encoder.model.card
    expect(card.input.bands).toEqual(BIGEARTHNET_BANDS)
    expect(card.training).toMatchObject({ seed: 42, epochs: 8 })
    expect(card.metrics).toHaveProperty('mAP@10')
  })
})
