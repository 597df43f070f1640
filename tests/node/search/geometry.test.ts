import { describe, expect, it } from 'vitest'
import { BoxRelation, preparePolygon, segmentsIntersect } from '../../../src-main/search/geometry'
import { rng } from '../../support'

const quadOf = (w: number, s: number, e: number, n: number): Float64Array => Float64Array.of(w, s, e, s, e, n, w, n)

describe('polygon areas', () => {
  // A 10° square with a 2° hole in the middle, and a notch cut into its east side.
  const coords: [number, number][][] = [
    [[0, 0], [10, 0], [10, 4], [7, 5], [10, 6], [10, 10], [0, 10], [0, 0]],
    [[4, 4], [4, 6], [6, 6], [6, 4], [4, 4]],
  ]
  const area = preparePolygon(coords)

  it('does not match a footprint inside the hole, matches one across its rim', () => {
    expect(area.classifyBox(4.5, 4.5, 5.5, 5.5)).not.toBe(BoxRelation.Inside)
    expect(area.intersectsQuad(quadOf(4.5, 4.5, 5.5, 5.5))).toBe(false)
    expect(area.classifyBox(1, 1, 2, 2)).toBe(BoxRelation.Inside)
    expect(area.intersectsQuad(quadOf(3.9, 4.5, 4.1, 4.6))).toBe(true)
    expect(area.intersectsQuad(quadOf(8.5, 4.9, 9.5, 5.1))).toBe(false) // in the notch
    expect(area.classifyBox(11, 1, 12, 2)).toBe(BoxRelation.Outside)
  })

  it('does not take a footprint inside a hole smaller than a grid cell for inside', () => {
    const tiny = preparePolygon([
      [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
      [[5.01, 5.01], [5.01, 5.06], [5.06, 5.06], [5.06, 5.01], [5.01, 5.01]],
    ])
    expect(tiny.classifyBox(5.02, 5.02, 5.03, 5.03)).not.toBe(BoxRelation.Inside)
    expect(tiny.intersectsQuad(quadOf(5.02, 5.02, 5.03, 5.03))).toBe(false)
    expect(tiny.classifyBox(2, 2, 2.01, 2.01)).toBe(BoxRelation.Inside)
  })

  it('never contradicts the exact test on 20,000 random boxes, and decides most of them itself', () => {
    const random = rng(11)
    const n = 20_000
    const counts = [0, 0, 0]
    for (let i = 0; i < n; i++) {
      const size = random() * 1.5
      const w = random() * 12 - 1, s = random() * 12 - 1
      const rel = area.classifyBox(w, s, w + size, s + size)
      counts[rel]!++
      const hits = area.intersectsQuad(quadOf(w, s, w + size, s + size))
      if (rel === BoxRelation.Inside) expect(hits, `box ${w},${s} +${size}`).toBe(true)
      if (rel === BoxRelation.Outside) expect(hits, `box ${w},${s} +${size}`).toBe(false)
    }
    // The grid must shortcut, not send every box to the exact test: today 51 % inside, 23 % outside.
    expect(counts[BoxRelation.Inside]! / n).toBeGreaterThan(0.4)
    expect(counts[BoxRelation.Outside]! / n).toBeGreaterThan(0.15)
    expect(counts[BoxRelation.Boundary]! / n).toBeLessThan(0.35)
  })

  it('finds segments that cross, touch or overlap, and not those that miss', () => {
    expect(segmentsIntersect(0, 0, 2, 2, 0, 2, 2, 0)).toBe(true)
    expect(segmentsIntersect(0, 0, 2, 0, 2, 0, 3, 1)).toBe(true)
    expect(segmentsIntersect(0, 0, 2, 0, 1, 0, 3, 0)).toBe(true)
    expect(segmentsIntersect(0, 0, 1, 0, 2, 0, 3, 0)).toBe(false)
    expect(segmentsIntersect(0, 0, 1, 1, 0, 1, 0.4, 0.6)).toBe(false)
  })
})
