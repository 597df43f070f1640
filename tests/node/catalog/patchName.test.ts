import { describe, expect, it } from 'vitest'
import { parseRebenName, parseV1Name } from '../../../src-main/ingest/patchName'
import { seasonOf } from '../../../src-main/catalog/season'
import { footprintOf, patchUtmBox, tileOrigin } from '../../../src-main/geo/utm'

describe('patch names', () => {
  it('parses a reBEN patch_id', () => {
    expect(parseRebenName('S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_75_43')).toEqual({
      satellite: 'S2A', datetime: '2017-06-13T10:10:31Z', orbit: 22, tile: '33UUP', x: 75, y: 43,
    })
  })

  it('rejects a patch_id that does not parse, saying what it expected', () => {
    expect(() => parseRebenName('S2C_MSIL2A_20170613T101031_N9999_R022_T33UUP_75_43')).toThrow(/does not parse: expected S2\{A\|B\}/)
    expect(() => parseRebenName('S2A_MSIL2A_20171313T101031_N9999_R022_T33UUP_75_43')).toThrow(/impossible acquisition time/)
  })

  it('parses v1 names, including those that drop a digit of the time', () => {
    expect(parseV1Name('S2A_MSIL2A_20170613T101031_87_48')).toMatchObject({ satellite: 'S2A', x: 87, y: 48, tile: null })
    expect(parseV1Name('S2B_MSIL2A_20180204T94161_57_38')).toMatchObject({ datetime: '2018-02-04T00:00:00Z', x: 57, y: 38 })
  })
})

describe('seasons (meteorological, northern hemisphere)', () => {
  it.each([
    ['2017-12-01T00:00:00Z', 'winter'], ['2018-02-28T23:59:59Z', 'winter'], ['2018-03-01T00:00:00Z', 'spring'],
    ['2017-06-13T10:10:31Z', 'summer'], ['2017-09-24T09:30:20Z', 'autumn'], ['2017-11-30T23:59:59Z', 'autumn'],
  ])('%s is %s', (iso, season) => {
    expect(seasonOf(Date.parse(iso) / 1000)).toBe(season)
  })
})

describe('tile and patch geometry (BigEarthNet rule)', () => {
  it('finds tile origins, snapped outward to the 60 m grid', () => {
    expect(tileOrigin('33UUP')).toEqual({ epsg: 32633, x: 300000, y: 5400000 })
    expect(tileOrigin('29UPU')).toEqual({ epsg: 32629, x: 600000, y: 5900040 })
    expect(tileOrigin('29SND')).toEqual({ epsg: 32629, x: 499980, y: 4400040 })
    expect(tileOrigin('35VPK')).toEqual({ epsg: 32635, x: 600000, y: 7000020 })
  })

  it('rejects a malformed tile', () => {
    expect(() => tileOrigin('33UUI')).toThrow(/not a Sentinel-2 MGRS tile/)
  })

  it('places patch 75_43 of 33UUP at (390000, 5348400) and projects it to WGS84', () => {
    const box = patchUtmBox('33UUP', 75, 43)
    expect(box).toEqual({ epsg: 32633, west: 390000, north: 5348400, east: 391200, south: 5347200 })
    const ring = footprintOf(box)
    expect(ring).toHaveLength(5)
    expect(ring[0]).toEqual(ring[4])
    // Salzburg area, Austria.
    expect(ring[0]![0]).toBeCloseTo(13.53, 1)
    expect(ring[0]![1]).toBeCloseTo(48.26, 1)
  })
})
