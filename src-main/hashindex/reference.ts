import type { CodeBits } from '../hashcode/hashCode'
import { popcount32 } from './words'
import type { Neighbor } from './neighbor'
import { compareNeighbors } from './neighbor'

/**
 * The plain-JavaScript linear popcount scan: the oracle the index is tested against and the baseline the
 * benchmark compares it with. Codes as the catalog loads them: code i is words [i·W, (i+1)·W), W = bits/32.
 */
export function referenceDistances(bits: CodeBits, words: Uint32Array, query: Uint32Array): Uint8Array {
  const w = bits / 32
  const n = words.length / w
  const out = new Uint8Array(n)
  for (let i = 0, p = 0; i < n; i++) {
    let d = 0
    for (let j = 0; j < w; j++, p++) d += popcount32(words[p]! ^ query[j]!)
    out[i] = d
  }
  return out
}

/** Ids within distance r of the query (optionally only allowed ids), by distance then id. */
export function referenceRadius(
  bits: CodeBits,
  ids: Int32Array,
  words: Uint32Array,
  query: Uint32Array,
  r: number,
  allowed?: ReadonlySet<number>,
): Neighbor[] {
  return within(referenceDistances(bits, words, query), ids, r, allowed)
}

/** The k nearest ids (optionally only allowed ids), by distance then id: a histogram finds the cut-off distance. */
export function referenceKnn(
  bits: CodeBits,
  ids: Int32Array,
  words: Uint32Array,
  query: Uint32Array,
  k: number,
  allowed?: ReadonlySet<number>,
): Neighbor[] {
  const distances = referenceDistances(bits, words, query)
  const histogram = new Uint32Array(bits + 1)
  for (let i = 0; i < distances.length; i++) if (!allowed || allowed.has(ids[i]!)) histogram[distances[i]!]!++
  let cut = 0
  for (let seen = 0; cut <= bits; cut++) {
    seen += histogram[cut]!
    if (seen >= k) break
  }
  return within(distances, ids, cut, allowed).slice(0, k)
}

function within(distances: Uint8Array, ids: Int32Array, r: number, allowed?: ReadonlySet<number>): Neighbor[] {
  const out: Neighbor[] = []
  for (let i = 0; i < distances.length; i++) {
    if (distances[i]! <= r && (!allowed || allowed.has(ids[i]!))) out.push({ id: ids[i]!, distance: distances[i]! })
  }
  return out.sort(compareNeighbors)
}
