import { describe, expect, it } from 'vitest'
import { footprintOf, patchUtmBox, tileOrigin } from '../../../src-main/geo/utm'

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
