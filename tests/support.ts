/** Test and benchmark helpers shared across runtimes' test folders. */

/** A seeded pseudo-random generator in [0, 1) (mulberry32): data sets are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Hamming distance between two byte codes, bit by bit (an oracle independent of the index's kernels). */
export function hammingBytes(a: Uint8Array, b: Uint8Array): number {
  let d = 0
  for (let i = 0; i < a.length; i++) {
    let x = a[i]! ^ b[i]!
    while (x) {
      d += x & 1
      x >>= 1
    }
  }
  return d
}
