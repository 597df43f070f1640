import type { CodeBits } from '../../../src-main/hashcode/hashCode'
import type { Neighbor } from '../../../src-main/hashindex/neighbor'
import { rng } from '../../support'
export { rng }

/** A small seeded PRNG (mulberry32): tests are reproducible. */

/** n uniformly random codes as contiguous words. */
export function uniformCodes(n: number, bits: CodeBits, random: () => number): Uint32Array {
  const words = new Uint32Array((n * bits) / 32)
  for (let i = 0; i < words.length; i++) words[i] = (random() * 2 ** 32) >>> 0
  return words
}

/**
 * n codes around a few centres, each bit flipped with a small probability, and some exact duplicates: the
 * shape of real deep-hash codes (near-duplicates, ties at every distance).
 */
export function clusteredCodes(n: number, bits: CodeBits, random: () => number, centres = 5, flip = 0.04): Uint32Array {
  const w = bits / 32
  const c = uniformCodes(centres, bits, random)
  const words = new Uint32Array(n * w)
  for (let i = 0; i < n; i++) {
    if (i > 0 && random() < 0.1) {
      words.copyWithin(i * w, (i - 1) * w, i * w)
      continue
    }
    const centre = Math.floor(random() * centres)
    for (let j = 0; j < w; j++) words[i * w + j] = c[centre * w + j]!
    for (let b = 0; b < bits; b++) if (random() < flip) words[i * w + (b >>> 5)]! ^= 1 << (b & 31)
  }
  return words
}

/** The code of index i. */
export function codeAt(words: Uint32Array, bits: CodeBits, i: number): Uint32Array {
  const w = bits / 32
  return words.slice(i * w, (i + 1) * w)
}

/** The brute-force oracle: every code's distance bit by bit, sorted by (distance, id). */
export function bruteForce(bits: CodeBits, ids: ArrayLike<number>, words: Uint32Array, query: Uint32Array, allowed?: ReadonlySet<number>): Neighbor[] {
  const w = bits / 32
  const out: Neighbor[] = []
  for (let i = 0; i < ids.length; i++) {
    if (allowed && !allowed.has(ids[i]!)) continue
    let d = 0
    for (let b = 0; b < bits; b++) d += ((words[i * w + (b >>> 5)]! ^ query[b >>> 5]!) >>> (b & 31)) & 1
    out.push({ id: ids[i]!, distance: d })
  }
  return out.sort((a, b) => a.distance - b.distance || a.id - b.id)
}
