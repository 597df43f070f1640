import { describe, expect, it } from 'vitest'
import { jaccard, meanScores, pairedDifference, sampleSd, score } from '../../../bench/retrieval/metrics'

// Label masks: bit i = label i. Database 0 has label 0, 1 label 1, 2 both, 3 none.
const DB = [0b01, 0b10, 0b11, 0b00]

describe('retrieval metrics (bench/retrieval/metrics)', () => {
  it('computes AP@k as the mean of P@i over the relevant ranks i ≤ k, and precision@k', () => {
    // Query 0 (label 0) retrieves 0, 1, 2: relevant at ranks 1 and 3 → AP@3 = (1/1 + 2/3) / 2 = 5/6, P@3 = 2/3.
    // Query 1 (label 1) retrieves 3, 0, 1: relevant at rank 3 only → AP@3 = (1/3) / 1 = 1/3, P@3 = 1/3.
    const s = score([0b01, 0b10], DB, [[0, 1, 2], [3, 0, 1]], [1, 3])
    expect(s.ap[3]![0]).toBeCloseTo(5 / 6, 12)
    expect(s.ap[3]![1]).toBeCloseTo(1 / 3, 12)
    expect(s.map[3]).toBeCloseTo((5 / 6 + 1 / 3) / 2, 12)
    expect(s.precision[3]).toBeCloseTo(0.5, 12)
    // At k = 1 only the first rank counts: query 0 hits, query 1 misses.
    expect([...s.ap[1]!]).toEqual([1, 0])
    expect(s.map[1]).toBe(0.5)
    expect(s.precision[1]).toBe(0.5)
  })

  it('normalises AP@k by the relevant items retrieved within k, and scores a query with none as 0', () => {
    // One relevant item at rank 2 of 2: AP@2 = P@2 = 1/2, whatever else in the database is relevant.
    expect(score([0b01], DB, [[1, 0]], [2]).ap[2]![0]).toBe(0.5)
    // Nothing relevant in the top 2.
    const none = score([0b01], DB, [[1, 3, 0]], [2])
    expect(none.ap[2]![0]).toBe(0)
    expect(none.precision[2]).toBe(0)
  })

  it('averages the Jaccard index of the label sets over the top k', () => {
    expect(jaccard(0b0111, 0b0110)).toBeCloseTo(2 / 3, 12)
    expect(jaccard(0b01, 0b10)).toBe(0)
    expect(jaccard(0, 0)).toBe(0)
    // Query 0: 1, 0, 1/2 → 1/2; query 1: 0, 0, 1 → 1/3.
    const s = score([0b01, 0b10], DB, [[0, 1, 2], [3, 0, 1]], [3])
    expect(s.jaccard[3]).toBeCloseTo((1 / 2 + 1 / 3) / 2, 12)
  })

  it('averages the scores of several LSH draws, per-query APs included', () => {
    const first = score([0b01], DB, [[0, 1]], [2]) // AP@2 = 1, P@2 = 1/2
    const second = score([0b01], DB, [[1, 2]], [2]) // AP@2 = 1/2, P@2 = 1/2
    const mean = meanScores([first, second], [2])
    expect(mean.map[2]).toBeCloseTo(0.75, 12)
    expect(mean.precision[2]).toBeCloseTo(0.5, 12)
    expect([...mean.ap[2]!]).toEqual([0.75])
  })

  it('gives the sample standard deviation (n − 1), 0 for a single value', () => {
    expect(sampleSd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12)
    expect(sampleSd([0.3])).toBe(0)
  })

  it('gives the mean paired difference with its 95 % normal-approximation confidence interval', () => {
    // Differences 1, 2, 3, 4: mean 2.5, sample variance 5/3, standard error √(5/3 / 4); half-width 1.96 × that.
    const d = pairedDifference(Float64Array.of(1, 2, 3, 4), Float64Array.of(0, 0, 0, 0))
    const half = 1.96 * Math.sqrt(5 / 3 / 4)
    expect(d.mean).toBeCloseTo(2.5, 12)
    expect(d.low).toBeCloseTo(2.5 - half, 12)
    expect(d.high).toBeCloseTo(2.5 + half, 12)
    expect(d.low).toBeCloseTo(1.2348, 4)
    // A constant difference is known exactly: the interval has no width.
    const constant = pairedDifference(Float64Array.of(0.9, 0.5, 0.7), Float64Array.of(0.8, 0.4, 0.6))
    expect(constant.mean).toBeCloseTo(0.1, 12)
    expect(constant.high - constant.low).toBeCloseTo(0, 12)
  })
})
