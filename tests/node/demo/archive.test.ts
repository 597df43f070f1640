import { describe, it, expect } from 'vitest'
import { footprintOf, patchUtmBox } from '../../../src-main/geo/utm'
import { parseRebenName } from '../../../src-main/ingest/patchName'
import {
  DEMO_ARCHIVE,
  DEMO_MAX_N,
  checkDemoSize,
  demoPatch,
  demoPixelsPath,
  demoRecords,
  parseDemoPixelsPath,
} from '../../../src-main/demo/archive'
import { Permutation } from '../../../src-main/demo/random'
import { demoStatistics } from '../../../src-main/demo/statistics'

describe('demo archive metadata', () => {
  it('is a pure function of (seed, index): identical on every call, independent of n, different for another seed', () => {
    for (const i of [0, 1, 17, 4999]) {
      expect(demoPatch(42, i, 5000)).toEqual(demoPatch(42, i, 5000))
      // The first n patches of a larger archive are the archive of n.
      expect(demoPatch(42, i, 5000)).toEqual(demoPatch(42, i, DEMO_MAX_N))
    }
    const names = (seed: number) => Array.from({ length: 200 }, (_, i) => demoPatch(seed, i).name)
    const other = new Set(names(7))
    expect(names(42).filter((n) => other.has(n)).length).toBeLessThan(5)
  })

  it('names parse as reBEN patch_ids, agree with the patch fields and never repeat in 50,000 patches', () => {
    const n = 50_000
    const seen = new Set<string>()
    for (let i = 0; i < n; i++) {
      const p = demoPatch(42, i, n)
      seen.add(p.name)
      if (i % 997 === 0) {
        const parsed = parseRebenName(p.name)
        expect(parsed).toMatchObject({ satellite: p.satellite, tile: p.tile, x: p.x, y: p.y, orbit: p.orbit })
        expect(Date.parse(parsed.datetime) / 1000).toBe(p.acquiredAt)
        expect(p.name.startsWith(`${p.product}_`)).toBe(true)
        // The demo's processing baseline keeps its names apart from every real reBEN name (N9999).
        expect(p.name).toContain('_N0000_')
        const at = new Date(p.acquiredAt * 1000)
        expect(at >= new Date('2017-06-01') && at < new Date('2018-06-01')).toBe(true)
      }
    }
    expect(seen.size).toBe(n)
  })

  it('gives every patch of the largest archive (549,488, as many as reBEN) its own name', () => {
    const seen = new Set<string>()
    for (let i = 0; i < DEMO_MAX_N; i++) seen.add(demoPatch(3, i).name)
    expect(seen.size).toBe(DEMO_MAX_N)
  })

  it('permutes without collisions (the Feistel bijection behind unique names)', () => {
    for (const size of [1, 2, 5, 1000, 4097]) {
      const p = new Permutation(size, 99)
      const images = new Set(Array.from({ length: size }, (_, i) => p.at(i)))
      expect(images.size).toBe(size)
      expect(Math.max(...images)).toBe(size - 1)
    }
  })

  it('follows the statistics table: country shares, label-set frequencies and label frequencies of 20,000 patches', () => {
    const stats = demoStatistics()
    const n = 20_000
    const countries = new Map<string, number>()
    const sets = new Map<string, number>()
    const labels = new Map<number, number>()
    let snow = 0
    for (let i = 0; i < n; i++) {
      const p = demoPatch(42, i)
      countries.set(p.country, (countries.get(p.country) ?? 0) + 1)
      const key = `${p.country}|${p.labelsMask}`
      sets.set(key, (sets.get(key) ?? 0) + 1)
      for (let b = 0; b < 19; b++) if (Math.floor(p.labelsMask / 2 ** b) % 2 === 1) labels.set(b, (labels.get(b) ?? 0) + 1)
      if (p.snow) snow++
    }
    // Binomial tolerance: 4 standard deviations plus a little slack.
    const within = (observed: number, share: number) => {
      const sd = Math.sqrt(n * share * (1 - share))
      expect(Math.abs(observed - n * share)).toBeLessThanOrEqual(4 * sd + 3)
    }
    const expectedLabels = new Map<number, number>()
    for (const c of stats.countries) {
      const countryShare = c.patches / stats.patches
      within(countries.get(c.name) ?? 0, countryShare)
      c.labelMasks.forEach((mask, j) => {
        const share = countryShare * (c.labelCounts[j]! / c.labelSetsCovered)
        // The ten most frequent label sets of each country: frequency and co-occurrence at once.
        if (j < 10) within(sets.get(`${c.name}|${mask}`) ?? 0, share)
        for (let b = 0; b < 19; b++) if (Math.floor(mask / 2 ** b) % 2 === 1) expectedLabels.set(b, (expectedLabels.get(b) ?? 0) + share)
      })
    }
    for (const [b, share] of expectedLabels) within(labels.get(b) ?? 0, share)
    // Every drawn set is one of the country's listed sets.
    for (const key of sets.keys()) {
      const [country, mask] = key.split('|')
      const c = stats.countries.find((x) => x.name === country)!
      expect(Array.from(c.labelMasks)).toContain(Number(mask))
    }
    within(snow, stats.products.reduce((a, p) => a + p.snow, 0) / stats.patches)
  })

  it('splits roughly like reBEN (half train, a quarter each validation and test)', () => {
    const counts = { train: 0, validation: 0, test: 0 }
    for (let i = 0; i < 4000; i++) counts[demoPatch(42, i).split]++
    expect(counts.train / 4000).toBeCloseTo(0.5, 1)
    expect(counts.validation / 4000).toBeCloseTo(0.25, 1)
    expect(counts.test / 4000).toBeCloseTo(0.25, 1)
  })

  it('turns patches into catalog records: UTM square by the tile rule, labels, a demo:// pixels path', () => {
    const records = [...demoRecords(42, 25)]
    expect(records).toHaveLength(25)
    records.forEach((r, i) => {
      const p = demoPatch(42, i)
      const utm = patchUtmBox(p.tile, p.x, p.y)
      expect(r).toMatchObject({ name: p.name, labelsMask: p.labelsMask, country: p.country, utm, split: p.split, snow: p.snow, cloud: false })
      expect(r.footprint).toEqual(footprintOf(utm))
      expect(r.pixelsPath).toBe(`demo://42/${i}`)
      expect(parseDemoPixelsPath(r.pixelsPath!)).toEqual({ seed: 42, index: i })
    })
    expect(demoPixelsPath(7, 3)).toBe('demo://7/3')
    expect(parseDemoPixelsPath('/data/BigEarthNet-S2/x')).toBeNull()
    expect(DEMO_ARCHIVE).toMatch(/simulated/)
  })

  it('refuses sizes, indices and seeds outside their range with a readable error', () => {
    for (const bad of [0, -1, 1.5, 549_489, Number.NaN]) {
      expect(() => checkDemoSize(bad)).toThrow(/not a whole number from 1 to 549,488/)
      expect(() => [...demoRecords(42, bad)]).toThrow(/549,488/)
    }
    expect(checkDemoSize(549_488)).toBe(549_488)
    expect(() => demoPatch(42, 10, 10)).toThrow(/index 10 is not in 0 … 9/)
    expect(() => demoPatch(-1, 0)).toThrow(/seed -1/)
    expect(() => demoPatch(2 ** 32, 0)).toThrow(/seed/)
  })
})
