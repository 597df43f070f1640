/**
 * Retrieval metrics over label masks (bit i = label i of the 19): relevant = shares at least one label.
 * AP@k as in build/milan/train.py: the mean of P@i over the relevant ranks i ≤ k (0 when none is relevant).
 */
import { popcount } from './search'

/** Scores of rankings (per query the retrieved database indices, best first), by k. */
export interface Scores {
  map: Record<number, number>
  precision: Record<number, number>
  jaccard: Record<number, number>
  /** AP@k of each query, for paired comparisons. */
  ap: Record<number, Float64Array>
}

/** Jaccard index of two label masks: |a ∩ b| / |a ∪ b|, 0 when both are empty. */
export function jaccard(a: number, b: number): number {
  const union = popcount(a | b)
  return union === 0 ? 0 : popcount(a & b) / union
}

/** mAP@k, precision@k and mean Jaccard@k of ranked lists (each at least max(ks) long) for every k in `ks`. */
export function score(queryMasks: readonly number[], dbMasks: readonly number[], ranked: readonly number[][], ks: readonly number[]): Scores {
  const s: Scores = { map: {}, precision: {}, jaccard: {}, ap: {} }
  for (const k of ks) {
    const ap = new Float64Array(ranked.length)
    let prec = 0
    let jac = 0
    ranked.forEach((list, q) => {
      const qm = queryMasks[q]!
      let hits = 0
      let sumP = 0
      let sumJ = 0
      for (let i = 0; i < k; i++) {
        const dm = dbMasks[list[i]!]!
        sumJ += jaccard(qm, dm)
        if ((qm & dm) !== 0) {
          hits++
          sumP += hits / (i + 1)
        }
      }
      ap[q] = hits > 0 ? sumP / hits : 0
      prec += hits / k
      jac += sumJ / k
    })
    s.ap[k] = ap
    s.map[k] = ap.reduce((x, y) => x + y, 0) / ranked.length
    s.precision[k] = prec / ranked.length
    s.jaccard[k] = jac / ranked.length
  }
  return s
}

function mean(xs: readonly number[]): number {
  return xs.reduce((x, y) => x + y, 0) / xs.length
}

/** The mean of several scores (LSH draws): means of every metric, per-query APs averaged too. */
export function meanScores(all: readonly Scores[], ks: readonly number[]): Scores {
  const s: Scores = { map: {}, precision: {}, jaccard: {}, ap: {} }
  for (const k of ks) {
    s.map[k] = mean(all.map((x) => x.map[k]!))
    s.precision[k] = mean(all.map((x) => x.precision[k]!))
    s.jaccard[k] = mean(all.map((x) => x.jaccard[k]!))
    const ap = new Float64Array(all[0]!.ap[k]!.length)
    for (const x of all) x.ap[k]!.forEach((v, q) => (ap[q] = ap[q]! + v / all.length))
    s.ap[k] = ap
  }
  return s
}

/** Sample standard deviation (n − 1; 0 for a single value). */
export function sampleSd(xs: readonly number[]): number {
  const m = mean(xs)
  return Math.sqrt(xs.reduce((x, y) => x + (y - m) ** 2, 0) / Math.max(1, xs.length - 1))
}

/** A mean with its 95 % confidence interval. */
export interface Interval {
  mean: number
  low: number
  high: number
}

/** Mean of the paired differences a − b over queries and its 95 % confidence interval (normal approximation). */
export function pairedDifference(a: Float64Array, b: Float64Array): Interval {
  const n = a.length
  let sum = 0
  for (let i = 0; i < n; i++) sum += a[i]! - b[i]!
  const mean = sum / n
  let ss = 0
  for (let i = 0; i < n; i++) ss += (a[i]! - b[i]! - mean) ** 2
  const half = 1.96 * Math.sqrt(ss / (n - 1) / n)
  return { mean, low: mean - half, high: mean + half }
}
