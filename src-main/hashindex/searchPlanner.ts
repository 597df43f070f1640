import type { LinearScan } from './linearScan'

/** 'auto' picks the cheaper of multi-index probing and a linear scan; the others force one (tests, benchmarks). */
export type SearchStrategy = 'auto' | 'multi-index' | 'linear'

/** Cost of evaluating one allowed id directly (id → slot by binary search, distance in JS), in ns. */
const DIRECT_NS = 150
/**
 * Share of a scan's time a k-NN may spend probing before it falls back to the scan (seeded with what it
 * found): generous while scans are in-cache and inline, small for worker scans of large indexes, whose few
 * tables (memory budget) only find the neighbours of tight clusters.
 */
const KNN_PROBE_SHARE = 1
const KNN_PROBE_SHARE_LARGE = 0.1

/**
 * Picks how a search runs from what each way expects to cost: the scan's expected time (measured once scans
 * ran), the tables' estimate for a radius search, and a fixed cost per allowed id evaluated directly. Probing
 * is bounded by a deadline derived from the scan time, so a bad estimate costs at most about one scan more.
 */
export class SearchPlanner {
  constructor(private readonly scan: LinearScan) {}

  /**
   * Whether to evaluate `ids` allowed ids one by one: under 'auto', when that costs less than half a scan
   * and less than probing (`probeMs`, the tables' estimate; Infinity when there are none).
   */
  direct(strategy: SearchStrategy, ids: number, probeMs = Infinity): boolean {
    return strategy === 'auto' && (ids * DIRECT_NS) / 1e6 < Math.min(this.scan.expectedMs() / 2, probeMs)
  }

  /**
   * When a radius search probing the tables (estimated at `probeMs`) gives up for a scan, as a
   * performance.now() time: after a scan's expected time; never when probing is forced. Null when the scan
   * is expected to be faster: scan right away.
   */
  radiusDeadline(strategy: SearchStrategy, probeMs: number): number | null {
    if (strategy === 'multi-index') return Infinity
    const scanMs = this.scan.expectedMs()
    return probeMs < scanMs ? performance.now() + scanMs : null
  }

  /** When a k-NN probing the tables gives up and hands what it found to a scan (never when probing is forced). */
  knnDeadline(strategy: SearchStrategy): number {
    const share = this.scan.parallel ? KNN_PROBE_SHARE_LARGE : KNN_PROBE_SHARE
    return strategy === 'multi-index' ? Infinity : performance.now() + this.scan.expectedMs() * share
  }
}
