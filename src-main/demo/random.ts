import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'

/**
 * Seeded randomness of the demo archive. Every value is a pure function of (seed, index, stream): the
 * same patch comes out identical on every run and machine, whatever order patches are generated in.
 * Decisions per patch draw from pure-rand's xoroshiro128+; per-pixel values use the integer hash below,
 * because a generator call per pixel would cost more than the rest of the pixel.
 */

/** Streams of one patch's randomness, so adding draws to one never shifts another. */
export const STREAM = { metadata: 1, layout: 2, bandNoise: 3, variation: 4 } as const

/** A 32-bit integer finaliser (Wellons' "lowbias32"): every input bit affects every output bit. */
export function mix32(x: number): number {
  x ^= x >>> 16
  x = Math.imul(x, 0x7feb352d)
  x ^= x >>> 15
  x = Math.imul(x, 0x846ca68b)
  x ^= x >>> 16
  return x >>> 0
}

/** Hash of two 32-bit integers. */
export function hash2(a: number, b: number): number {
  return mix32((mix32(a) + Math.imul(b | 0, 0x9e3779b9)) | 0)
}

/** Hash of three 32-bit integers. */
export function hash3(a: number, b: number, c: number): number {
  return hash2(hash2(a, b), c)
}

/** Hash of a string (FNV-1a, then mixed): e.g. a tile name, for what a whole region shares. */
export function hashString(seed: number, text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return hash2(seed, h)
}

/** A uniform in [0, 1) from a 32-bit hash. */
export function unit(h: number): number {
  return (h >>> 0) / 4294967296
}

/** The seeded generator of one stream of one patch. */
export function patchRng(seed: number, index: number, stream: number): RandomGenerator {
  return xoroshiro128plus(hash3(seed, index, stream) | 0)
}

/** A uniform in [0, 1) from a generator (53 bits are not needed here: 32 are plenty). */
export function uniform(rng: RandomGenerator): number {
  return (rng.next() >>> 0) / 4294967296
}

/** A uniform in [lo, hi). */
export function between(rng: RandomGenerator, lo: number, hi: number): number {
  return lo + (hi - lo) * uniform(rng)
}

/**
 * A seeded bijection of [0, size): a balanced Feistel network on the next even power of two, with cycle
 * walking back into the range. Lets patch i of the demo map to a distinct slot without storing a shuffle.
 */
export class Permutation {
  private readonly halfBits: number
  private readonly halfMask: number
  private readonly keys: Uint32Array

  constructor(
    readonly size: number,
    seed: number,
  ) {
    if (!(Number.isInteger(size) && size >= 1 && size <= 2 ** 30)) throw new Error(`permutation size ${size} is not in 1 … 2^30`)
    let bits = 2
    while (2 ** bits < size) bits++
    if (bits % 2 === 1) bits++
    this.halfBits = bits / 2
    this.halfMask = (1 << this.halfBits) - 1
    this.keys = new Uint32Array(6)
    for (let r = 0; r < this.keys.length; r++) this.keys[r] = hash3(seed, size, 0x5eed + r)
  }

  /** The image of i (0 ≤ i < size). */
  at(i: number): number {
    let x = i
    do x = this.round(x)
    while (x >= this.size)
    return x
  }

  private round(x: number): number {
    let left = x >>> this.halfBits
    let right = x & this.halfMask
    for (const key of this.keys) {
      const next = left ^ (hash2(right, key) & this.halfMask)
      left = right
      right = next
    }
    return ((left << this.halfBits) | right) >>> 0
  }
}
