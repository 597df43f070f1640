/** Random-projection LSH: seeded Gaussian hyperplanes (Box–Muller), sign bits, Hamming ranking (brute force). */
import { rng } from '../../tests/support'
import { hammingAll, signWords, topByDistance } from './search'

/**
 * One seeded generator for every draw: the hyperplanes are the same on every run as long as the draws
 * are made in the same order.
 */
export class RandomProjectionLsh {
  private readonly rand: () => number

  constructor(
    seed: number,
    /** Hyperplanes per draw = bits per code; a multiple of 32. */
    private readonly bits: number,
  ) {
    this.rand = rng(seed)
  }

  /** The top `k` database rows of every query row under one fresh draw of hyperplanes. */
  rankDraw(queries: Float32Array, db: Float32Array, dims: number, k: number): number[][] {
    const words = this.bits / 32
    const planes = Float32Array.from({ length: this.bits * dims }, () => this.gaussian())
    const lshDb = this.project(db, dims, planes)
    const lshQ = this.project(queries, dims, planes)
    return Array.from({ length: queries.length / dims }, (_, q) => topByDistance(hammingAll(lshQ.subarray(q * words, (q + 1) * words), lshDb, words), k))
  }

  private gaussian(): number {
    return Math.sqrt(-2 * Math.log(1 - this.rand())) * Math.cos(2 * Math.PI * this.rand())
  }

  /** Sign bits of the rows' projections on the hyperplanes. */
  private project(a: Float32Array, dims: number, planes: Float32Array): Uint32Array {
    const n = a.length / dims
    const bits = this.bits
    const p = new Float32Array(n * bits)
    for (let r = 0; r < n; r++) {
      for (let h = 0; h < bits; h++) {
        let s = 0
        for (let j = 0; j < dims; j++) s += planes[h * dims + j]! * a[r * dims + j]!
        p[r * bits + h] = s
      }
    }
    return signWords(p, n, bits)
  }
}
