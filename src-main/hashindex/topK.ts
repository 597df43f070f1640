import type { Neighbor } from './neighbor'

const ID_OFFSET = 2 ** 31
const DISTANCE_UNIT = 2 ** 32

/** Orders (distance, id) pairs as one number: distance first, then id. */
export function neighborKey(distance: number, id: number): number {
  return distance * DISTANCE_UNIT + (id + ID_OFFSET)
}

/** The pair a key stands for. */
export function keyNeighbor(key: number): Neighbor {
  const distance = Math.floor(key / DISTANCE_UNIT)
  return { id: key - distance * DISTANCE_UNIT - ID_OFFSET, distance }
}

/** The pairs keys stand for, by distance then id. */
export function sortKeys(keys: number[]): Neighbor[] {
  return Array.from(Float64Array.from(keys).sort(), keyNeighbor)
}

/** The k smallest (distance, id) pairs pushed so far: a bounded max-heap of keys. */
export class TopK {
  private readonly heap: Float64Array
  private count = 0

  constructor(readonly k: number) {
    this.heap = new Float64Array(k)
  }

  /** Pairs held (at most k). */
  get size(): number {
    return this.count
  }

  /** True when k pairs are held. */
  get full(): boolean {
    return this.count === this.k
  }

  /** Distance of the worst pair held (Infinity while not full). */
  worstDistance(): number {
    return this.count < this.k ? Infinity : Math.floor(this.heap[0]! / DISTANCE_UNIT)
  }

  /** Offers a pair; kept if among the k smallest so far. */
  push(distance: number, id: number): void {
    this.pushKey(neighborKey(distance, id))
  }

  /** Offers a pair by its key. */
  pushKey(key: number): void {
    const h = this.heap
    if (this.count < this.k) {
      let i = this.count++
      while (i > 0) {
        const parent = (i - 1) >> 1
        if (h[parent]! >= key) break
        h[i] = h[parent]!
        i = parent
      }
      h[i] = key
      return
    }
    if (this.k === 0 || key >= h[0]!) return
    let i = 0
    const n = this.count
    for (;;) {
      let child = 2 * i + 1
      if (child >= n) break
      if (child + 1 < n && h[child + 1]! > h[child]!) child++
      if (h[child]! <= key) break
      h[i] = h[child]!
      i = child
    }
    h[i] = key
  }

  /** The pairs held, by distance then id. */
  sorted(): Neighbor[] {
    const keys = this.heap.slice(0, this.count).sort()
    return Array.from(keys, keyNeighbor)
  }
}
