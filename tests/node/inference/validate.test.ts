import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BIGEARTHNET_BANDS, S2_L1C_BANDS } from '../../../src-main/sentinel2/bands'
import { checkExampleSize, exampleCaveats, readExample, validatePatchImage } from '../../../src-main/inference/validate'
import { EUROSAT, V2_PATCH, errorOf, hasSharedData, syntheticImage, testCard, writeMultiband, writeSyntheticV1 } from './fixtures'

let dir: string
const card = testCard()

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'earthqube-validate-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))


describe('readExample refuses bad query examples with a readable error', () => {
  it('a file with a band count no Sentinel-2 layout has (3 bands)', async () => {
    const path = join(dir, 'rgb.tif')
    writeMultiband(path, { side: 64, bands: 3 })
    expect(await errorOf(readExample(path, card))).toMatch(/rgb\.tif has 3 bands; expected 13 .*12/)
  })

  it('a patch folder with a band of the wrong size', async () => {
    const [folder] = writeSyntheticV1(join(dir, 'wrong-size'), 1)
    const name = folder!.split('/').pop()!
    writeMultiband(join(folder!, `${name}_B02.tif`), { side: 60, bands: 1 })
    expect(await errorOf(readExample(folder!, card))).toMatch(/_B02\.tif is 60×60, expected 120×120 \(10 m band\)/)
  })

  it('a file of the wrong data type (Float32 reflectances)', async () => {
    const path = join(dir, 'float.tif')
    writeMultiband(path, { side: 64, bands: 12, float: true, value: (b) => 0.05 + b / 100 })
    expect(await errorOf(readExample(path, card))).toMatch(/float\.tif: band B01 holds Float32 pixels; model test-card expects UInt16/)
  })

  it('a band that is all zero', async () => {
    const path = join(dir, 'zero-band.tif')
    writeMultiband(path, { side: 64, bands: 12, value: (b) => (b === 3 ? 0 : 800) })
    expect(await errorOf(readExample(path, card))).toMatch(/zero-band\.tif: band B04 is all zero/)
  })

  it('a band holding NaN', async () => {
    const path = join(dir, 'nan.tif')
    writeMultiband(path, { side: 64, bands: 12, float: true, value: (b, p) => (b === 1 && p === 5 ? NaN : 900) })
    expect(await errorOf(readExample(path, card))).toMatch(/nan\.tif: band B02 holds NaN pixels/)
  })

  it('a 1×1 image', async () => {
    const path = join(dir, 'dot.tif')
    writeMultiband(path, { side: 1, bands: 13 })
    expect(await errorOf(readExample(path, card))).toMatch(/dot\.tif is 1×1 px; an example patch needs at least 16×16 px/)
  })

  it('a file over 200 MB, refused from its size before it is read', async () => {
    const path = join(dir, 'huge.tif')
    writeFileSync(path, '')
    truncateSync(path, 201 * 1024 * 1024) // sparse: no disk used; its zeros are not a TIFF, so reading it would fail differently
    expect(await errorOf(readExample(path, card))).toBe('huge.tif is 201.0 MB; an example patch may be at most 200.0 MB (crop it to the area of interest)')
    expect(() => checkExampleSize(path, 300 * 1024 * 1024)).not.toThrow()
  })

  it('a TIFF without georeference', async () => {
    const path = join(dir, 'plain.tif')
    writeMultiband(path, { side: 64, bands: 13, georeferenced: false })
    expect(await errorOf(readExample(path, card))).toMatch(/plain\.tif has no georeference \(no ModelTiepoint and ModelPixelScale/)
  })

  it('a file that is not a TIFF at all', async () => {
    const path = join(dir, 'notes.tif')
    writeFileSync(path, 'hello')
    expect(await errorOf(readExample(path, card))).toMatch(/notes\.tif is not a TIFF file/)
  })

  it('a non-square image', async () => {
    const path = join(dir, 'strip.tif')
    writeMultiband(path, { side: 64, height: 32, bands: 13 })
    expect(await errorOf(readExample(path, card))).toMatch(/strip\.tif covers 640 m × 320 m; model test-card takes square patches/)
  })

  it.skipIf(!hasSharedData)('and still reads a good example afterwards (the process keeps going)', async () => {
    const image = await readExample(EUROSAT, card)
    expect(image.bandNames).toEqual(S2_L1C_BANDS)
  })
})

describe('validatePatchImage', () => {
  it('names the bands a model needs that an image lacks', () => {
    const image = syntheticImage(Object.fromEntries(BIGEARTHNET_BANDS.map((b) => [b, 700])))
    const needsB10 = testCard({ input: { ...card.input, bands: ['B02', 'B10'] }, normalisation: { transform: 'log1p', mean: [0, 0], std: [1, 1] } })
    expect(() => validatePatchImage(image, needsB10)).toThrow(/has no B10 band; model test-card needs B02, B10/)
    expect(() => validatePatchImage(image, card)).not.toThrow()
  })

  it('accepts BigEarthNet-sized bands (20 px 60 m bands) and checks every band, not just the first', () => {
    const bands = Object.fromEntries(BIGEARTHNET_BANDS.map((b) => [b, 700])) as Record<string, number>
    bands.B12 = 0
    expect(() => validatePatchImage(syntheticImage(bands), card)).toThrow(/band B12 is all zero/)
  })

  it('checks only the bands the card uses', () => {
    const bands = Object.fromEntries(BIGEARTHNET_BANDS.map((b) => [b, 700])) as Record<string, number>
    bands.B01 = 0
    const rgb = testCard({ input: { ...card.input, bands: ['B04', 'B03', 'B02'] }, normalisation: { transform: 'log1p', mean: [0, 0, 0], std: [1, 1, 1] } })
    expect(() => validatePatchImage(syntheticImage(bands), rgb)).not.toThrow()
  })
})

describe('exampleCaveats', () => {
  /** The default model's grid: 60 px of 20 m, patches of 1200 m. */
  const grid = testCard({ input: { ...card.input, pixelSizeM: 20 } })
  const l2a = (): ReturnType<typeof syntheticImage> => syntheticImage(Object.fromEntries(BIGEARTHNET_BANDS.map((b) => [b, 700])))

  it('says nothing about a Level-2A image of the model\'s extent (12 bands, 1200 m)', () => {
    expect(exampleCaveats(l2a(), grid)).toEqual([])
  })

  it('names a 13-band image as Level-1C, and an extent far from 1200 m', () => {
    const l1c = syntheticImage(Object.fromEntries(S2_L1C_BANDS.map((b) => [b, 700])))
    expect(exampleCaveats(l1c, grid)).toEqual([expect.stringMatching(/has band B10 \(cirrus\), which only Level-1C \(top-of-atmosphere\) products carry/)])
    const small = { ...l2a(), bands: new Map([...l2a().bands].map(([b, r]) => [b, { ...r, resolution: r.resolution / 2 }])) }
    expect(exampleCaveats(small, grid)).toEqual([expect.stringMatching(/covers 600 m × 600 m, the model's patches 1200 m × 1200 m; the whole image is resampled onto the model's 60 × 60 grid/)])
  })

  it.skipIf(!hasSharedData)('flags the real EuroSAT file on both counts and the real BigEarthNet v2 patch on neither', async () => {
    expect(exampleCaveats(await readExample(EUROSAT, grid), grid)).toHaveLength(2)
    expect(exampleCaveats(await readExample(V2_PATCH, grid), grid)).toEqual([])
  })
})
