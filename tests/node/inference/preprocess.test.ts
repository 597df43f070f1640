import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { fromArrayBuffer } from 'geotiff'
import { BIGEARTHNET_BANDS } from '../../../src-main/sentinel2/bands'
import { readPatchImage } from '../../../src-main/sentinel2/geotiff'
import type { InputSpec } from '../../../src-main/inference/preprocess'
import { preprocess, resampleAndTransform, resampleBand, standardise, tensorLength } from '../../../src-main/inference/preprocess'
import { EUROSAT, V1_ARABLE, V2_PATCH, hasSharedData, syntheticImage } from './fixtures'

const AREA_BILINEAR = { down: 'area', up: 'bilinear' } as const
const skipShared = !hasSharedData
if (skipShared) console.warn('[inference tests] ../shared/data is absent: band-mapping tests on real patches are skipped')

/** A spec that keeps raw values (no transform, mean 0, std 1), to compare against hand-computed numbers. */
function rawSpec(size: number, bands = [...BIGEARTHNET_BANDS]): InputSpec {
  return { bands, size, resampling: AREA_BILINEAR, transform: 'none', mean: bands.map(() => 0), std: bands.map(() => 1) }
}

describe('resampleBand', () => {
  it('averages 2×2 blocks when halving (10 m → 20 m)', () => {
    const src = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    expect(Array.from(resampleBand(src, 4, 4, 2, 2, AREA_BILINEAR))).toEqual([3.5, 5.5, 11.5, 13.5])
  })

  it('weights partly covered pixels by their covered area when the factor is not whole (3 → 2)', () => {
    // Output pixel 0 covers source [0, 1.5): 2/3 of pixel 0, 1/3 of pixel 1; pixel 1 covers [1.5, 3).
    const src = [0, 3, 6, 0, 3, 6, 0, 3, 6]
    const out = Array.from(resampleBand(src, 3, 3, 2, 2, AREA_BILINEAR))
    const left = (2 / 3) * 0 + (1 / 3) * 3
    const right = (1 / 3) * 3 + (2 / 3) * 6
    out.forEach((v, i) => expect(v).toBeCloseTo(i % 2 === 0 ? left : right, 5))
  })

  it('interpolates bilinearly between pixel centres when growing, clamping at the edges (2 → 4)', () => {
    const src = [0, 8, 16, 24]
    // Per axis, output centres map to source -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
    const row = (a: number, b: number): number[] => [a, 0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b, b]
    const top = row(0, 8)
    const bottom = row(16, 24)
    const expected = [0, 1, 2, 3].flatMap((y) => {
      const w = [0, 0.25, 0.75, 1][y]!
      return top.map((t, x) => (1 - w) * t + w * bottom[x]!)
    })
    expect(Array.from(resampleBand(src, 2, 2, 4, 4, AREA_BILINEAR))).toEqual(expected)
  })

  it('upsamples 20 → 60 (a 60 m band onto a 20 m grid) as thirds between centres', () => {
    const src = Array.from({ length: 400 }, (_, i) => (i % 20) * 30) // varies along x only
    const out = resampleBand(src, 20, 20, 60, 60, AREA_BILINEAR)
    // x = (o + 0.5) / 3 − 0.5: o = 0, 1 → pixel 0; o = 2 → x = 1/3; o = 3 → x = 2/3; o = 4 → pixel 1; o = 59 → clamped to 19.
    expect(out[0]).toBe(0)
    expect(out[1]).toBe(0)
    expect(out[2]).toBeCloseTo(10, 4)
    expect(out[3]).toBeCloseTo(20, 4)
    expect(out[4]).toBeCloseTo(30, 4)
    expect(out[59]).toBe(570)
  })

  it('copies a band already on the grid, and can take the nearest pixel instead of interpolating', () => {
    const src = [5, 6, 7, 8]
    expect(Array.from(resampleBand(src, 2, 2, 2, 2, AREA_BILINEAR))).toEqual([5, 6, 7, 8])
    expect(Array.from(resampleBand(src, 2, 2, 4, 4, { down: 'area', up: 'nearest' })).slice(0, 4)).toEqual([5, 5, 6, 6])
  })
})

describe('preprocess', () => {
  it('puts bands in card order, resamples each to the grid, applies log1p, then (x − mean) / std per band', () => {
    const image = syntheticImage({
      B02: { width: 4, height: 4, data: new Uint16Array([0, 2, 4, 6, 2, 4, 6, 8, 10, 10, 10, 10, 30, 30, 30, 30]) },
      B05: { width: 2, height: 2, data: new Uint16Array([99, 99, 99, 99]) },
      B01: { width: 1, height: 1, data: new Uint16Array([19]) },
    })
    // The card lists B05 first: channel 0 must be B05, whatever order the image has.
    const spec: InputSpec = {
      bands: ['B05', 'B02', 'B01'],
      size: 2,
      resampling: AREA_BILINEAR,
      transform: 'log1p',
      mean: [Math.log1p(99), 1, 0],
      std: [1, 2, 1],
    }
    const t = preprocess(image, spec)
    expect(t.length).toBe(tensorLength(spec))
    // B05 is on the grid already and equals its mean: 0 (up to float32 rounding of log1p(99)).
    Array.from(t.subarray(0, 4)).forEach((v) => expect(v).toBeCloseTo(0, 6))
    // B02 2×2 block means: (0+2+2+4)/4 = 2, (4+6+6+8)/4 = 6, (10+10+30+30)/4 = 20, 20 → (log1p(v) − 1) / 2
    const b02 = [2, 6, 20, 20].map((v) => (Math.log1p(v) - 1) / 2)
    Array.from(t.subarray(4, 8)).forEach((v, i) => expect(v).toBeCloseTo(b02[i]!, 5))
    // B01, one pixel, fills the grid: log1p(19), mean 0, std 1.
    Array.from(t.subarray(8, 12)).forEach((v) => expect(v).toBeCloseTo(Math.log1p(19), 5))
  })

  it('is the two stages the training data uses: resampleAndTransform then standardise', () => {
    const image = syntheticImage(Object.fromEntries(BIGEARTHNET_BANDS.map((b, i) => [b, 100 + 37 * i])))
    const spec: InputSpec = { ...rawSpec(60), transform: 'log1p', mean: BIGEARTHNET_BANDS.map((_, i) => i / 10), std: BIGEARTHNET_BANDS.map((_, i) => 1 + i / 7) }
    const staged = standardise(resampleAndTransform(image, spec), spec)
    expect(Array.from(preprocess(image, spec))).toEqual(Array.from(staged))
  })

  it.skipIf(skipShared)('maps a real v2 patch folder: 20 m bands unchanged, 10 m bands 2×2-averaged, 60 m bands upsampled', async () => {
    const image = await readPatchImage(V2_PATCH)
    const t = preprocess(image, rawSpec(60))
    const plane = 3600
    const channel = (b: string): Float32Array => t.subarray(BIGEARTHNET_BANDS.indexOf(b as never) * plane, (BIGEARTHNET_BANDS.indexOf(b as never) + 1) * plane)
    const raw = (b: string) => image.bands.get(b as never)!.data
    expect(Array.from(channel('B05'))).toEqual(Array.from(raw('B05')))
    const b02 = raw('B02')
    expect(channel('B02')[0]).toBeCloseTo((b02[0]! + b02[1]! + b02[120]! + b02[121]!) / 4, 3)
    expect(channel('B02')[61]).toBeCloseTo((b02[242]! + b02[243]! + b02[362]! + b02[363]!) / 4, 3)
    const b09 = raw('B09')
    expect(channel('B09')[0]).toBe(b09[0])
    expect(channel('B09')[2]).toBeCloseTo((2 / 3) * b09[0]! + (1 / 3) * b09[1]!, 2)
  })

  it.skipIf(skipShared)('maps a real v1 patch folder the same way as v2 (same 12 bands, same order)', async () => {
    const image = await readPatchImage(V1_ARABLE)
    expect(image.bandNames).toEqual(BIGEARTHNET_BANDS)
    const t = preprocess(image, rawSpec(60))
    const b8a = image.bands.get('B8A')!.data
    expect(Array.from(t.subarray(8 * 3600, 9 * 3600))).toEqual(Array.from(b8a))
  })

  it.skipIf(skipShared)('maps EuroSAT 13-band files by band: B8A from the 13th raster, B10 dropped', async () => {
    const image = await readPatchImage(EUROSAT)
    expect(image.bandNames).toContain('B10')
    const spec = rawSpec(64) // EuroSAT is 64×64: keep its grid to compare raw values
    const t = preprocess(image, spec)
    expect(t.length).toBe(12 * 64 * 64)
    // Read the rasters straight from the file: EuroSAT stores B01…B08, B09, B10, B11, B12, then B8A.
    const bytes = readFileSync(EUROSAT)
    const tiff = await fromArrayBuffer(new Uint8Array(bytes).buffer)
    const rasters = await (await tiff.getImage()).readRasters()
    const plane = 64 * 64
    const chan = (i: number): number[] => Array.from(t.subarray(i * plane, (i + 1) * plane))
    expect(chan(BIGEARTHNET_BANDS.indexOf('B8A'))).toEqual(Array.from(rasters[12] as ArrayLike<number>))
    expect(chan(BIGEARTHNET_BANDS.indexOf('B09'))).toEqual(Array.from(rasters[8] as ArrayLike<number>))
    expect(chan(BIGEARTHNET_BANDS.indexOf('B11'))).toEqual(Array.from(rasters[10] as ArrayLike<number>))
    const b10 = Array.from(rasters[9] as ArrayLike<number>)
    for (let c = 0; c < 12; c++) expect(chan(c)).not.toEqual(b10)
    // On the model's 60 px grid the 64 px bands are area-averaged (64 → 60).
    expect(preprocess(image, rawSpec(60)).length).toBe(12 * 3600)
  })
})
