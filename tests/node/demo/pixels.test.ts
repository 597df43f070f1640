import { describe, it, expect } from 'vitest'
import { maskOf } from '../../../src-main/catalog/nomenclature'
import { BIGEARTHNET_BANDS } from '../../../src-main/sentinel2/bands'
import type { DemoPatch } from '../../../src-main/demo/archive'
import { demoPatch } from '../../../src-main/demo/archive'
import type { DemoBand } from '../../../src-main/demo/pixels'
import { demoPixels, renderDemoPatch } from '../../../src-main/demo/pixels'

type Bands = Map<string, DemoBand>

const mean = (bands: Bands, band: string): number => {
  const d = bands.get(band)!.data
  let s = 0
  for (const v of d) s += v
  return s / d.length
}

const median = (bands: Bands, band: string): number => {
  const d = Uint16Array.from(bands.get(band)!.data).sort()
  return d[d.length >> 1]!
}

/** A demo patch with chosen labels, country, day of the year and snow (the rest from patch 5 of seed 42). */
function synthetic(labels: string[], country: string, dayOfYear: number, snow = false, index = 5): DemoPatch {
  const month = new Date(Date.UTC(2018, 0, dayOfYear)).getUTCMonth() + 1
  return { ...demoPatch(42, index), country, dayOfYear, month, snow, labels, labelsMask: maskOf('ben19', labels) }
}

const JULY = 195
const JANUARY = 20
const FEBRUARY = 45

describe('simulated demo pixels', () => {
  it('has the 12 BigEarthNet bands at their native sizes, UInt16', () => {
    const bands = demoPixels(42, 0)
    expect([...bands.keys()]).toEqual(BIGEARTHNET_BANDS)
    const side = { 10: 120, 20: 60, 60: 20 } as const
    for (const [name, b] of bands) {
      expect(b.data).toBeInstanceOf(Uint16Array)
      expect(b.width, name).toBe(side[b.resolution as 10 | 20 | 60])
      expect(b.height).toBe(b.width)
      expect(b.data.length).toBe(b.width * b.height)
    }
    expect(bands.get('B02')!.resolution).toBe(10)
    expect(bands.get('B8A')!.resolution).toBe(20)
    expect(bands.get('B09')!.resolution).toBe(60)
  })

  it('are byte-identical for the same seed and index, whatever was generated before, and differ for another seed', () => {
    const first = demoPixels(42, 3)
    demoPixels(42, 4)
    demoPixels(9, 100)
    const again = demoPixels(42, 3)
    for (const band of BIGEARTHNET_BANDS) expect(Buffer.from(again.get(band)!.data).equals(Buffer.from(first.get(band)!.data))).toBe(true)
    const other = demoPixels(43, 3)
    expect(Buffer.from(other.get('B08')!.data).equals(Buffer.from(first.get('B08')!.data))).toBe(false)
  })

  it('paints water dark in NIR and SWIR', () => {
    for (const [label, country] of [['Inland waters', 'Finland'], ['Marine waters', 'Portugal']] as const) {
      const b = renderDemoPatch(synthetic([label], country, JULY))
      // The median pixel: a patch may also hold unlabelled land cover below the mapping unit (pixels.ts).
      expect(median(b, 'B08'), label).toBeLessThan(300)
      expect(median(b, 'B11'), label).toBeLessThan(200)
      expect(mean(b, 'B03'), label).toBeGreaterThan(mean(b, 'B08'))
    }
  })

  it('paints forest bright in NIR against red, coniferous darker in NIR than broad-leaved, leaf-off broad-leaved in winter', () => {
    const broadleaf = renderDemoPatch(synthetic(['Broad-leaved forest'], 'Austria', JULY))
    const conifer = renderDemoPatch(synthetic(['Coniferous forest'], 'Austria', JULY))
    for (const b of [broadleaf, conifer]) expect(mean(b, 'B08')).toBeGreaterThan(4 * mean(b, 'B04'))
    expect(mean(conifer, 'B08')).toBeLessThan(0.8 * mean(broadleaf, 'B08'))
    // Red edge: B07 well above B05 for green canopy.
    expect(mean(broadleaf, 'B07')).toBeGreaterThan(2 * mean(broadleaf, 'B05'))
    const winter = renderDemoPatch(synthetic(['Broad-leaved forest'], 'Austria', JANUARY))
    expect(mean(winter, 'B08')).toBeLessThan(0.6 * mean(broadleaf, 'B08'))
    const winterConifer = renderDemoPatch(synthetic(['Coniferous forest'], 'Austria', JANUARY))
    expect(mean(winterConifer, 'B08')).toBeGreaterThan(3 * mean(winterConifer, 'B04'))
  })

  it('paints towns bright and flat, arable land green in summer and bare soil (SWIR above NIR) in winter', () => {
    const town = renderDemoPatch(synthetic(['Industrial or commercial units'], 'Belgium', JULY))
    const ndvi = (b: Bands) => (mean(b, 'B08') - mean(b, 'B04')) / (mean(b, 'B08') + mean(b, 'B04'))
    expect(ndvi(town)).toBeLessThan(0.25)
    expect(mean(town, 'B04')).toBeGreaterThan(1000)
    const summer = renderDemoPatch(synthetic(['Arable land'], 'Austria', JULY))
    const winter = renderDemoPatch(synthetic(['Arable land'], 'Austria', JANUARY))
    expect(ndvi(summer)).toBeGreaterThan(0.5)
    expect(ndvi(winter)).toBeLessThan(ndvi(summer) - 0.2)
    // SWIR near or above NIR: soil type and moisture tilt the spectrum by up to ±15 % per patch (pixels.ts).
    expect(mean(winter, 'B11')).toBeGreaterThan(0.75 * mean(winter, 'B08'))
    const beach = renderDemoPatch(synthetic(['Beaches, dunes, sands', 'Marine waters'], 'Portugal', JULY))
    expect(mean(beach, 'B08')).toBeGreaterThan(0)
  })

  it('paints Finnish winter snow bright in B03 and dark in B11, also on the demo patches flagged snowy', () => {
    const snowy = renderDemoPatch(synthetic(['Arable land', 'Pastures'], 'Finland', FEBRUARY, true))
    expect(mean(snowy, 'B03')).toBeGreaterThan(3000)
    expect(mean(snowy, 'B11')).toBeLessThan(0.4 * mean(snowy, 'B03'))
    const flagged: DemoPatch[] = []
    for (let i = 0; i < 3000 && flagged.length < 6; i++) {
      const p = demoPatch(42, i)
      if (p.snow && p.country === 'Finland' && (p.month <= 3 || p.month === 12)) flagged.push(p)
    }
    expect(flagged.length).toBeGreaterThan(0)
    for (const p of flagged) {
      const b = renderDemoPatch(p)
      const ndsi = (mean(b, 'B03') - mean(b, 'B11')) / (mean(b, 'B03') + mean(b, 'B11'))
      expect(mean(b, 'B03'), p.name).toBeGreaterThan(1200)
      expect(ndsi, `${p.name} ${p.labels.join(', ')}`).toBeGreaterThan(0.25)
    }
    // Without the snow flag the same Finnish February fields are not white.
    expect(mean(renderDemoPatch(synthetic(['Arable land', 'Pastures'], 'Finland', FEBRUARY, false)), 'B03')).toBeLessThan(1500)
  })

  it('makes the 20 m and 60 m bands area averages of the 10 m scene (bands agree spatially)', () => {
    const b = renderDemoPatch(synthetic(['Arable land', 'Coniferous forest', 'Inland waters'], 'Austria', JULY))
    const fine = b.get('B08')!.data
    const coarse = b.get('B8A')!.data
    const averaged = new Float64Array(3600)
    for (let y = 0; y < 120; y++) for (let x = 0; x < 120; x++) averaged[(y >> 1) * 60 + (x >> 1)]! += fine[y * 120 + x]! / 4
    const corr = correlation(averaged, Float64Array.from(coarse))
    expect(corr).toBeGreaterThan(0.9)
  })
})

function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length
  const ma = a.reduce((s, v) => s + v, 0) / n
  const mb = b.reduce((s, v) => s + v, 0) / n
  let sab = 0
  let saa = 0
  let sbb = 0
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb)
    saa += (a[i]! - ma) ** 2
    sbb += (b[i]! - mb) ** 2
  }
  return sab / Math.sqrt(saa * sbb)
}
