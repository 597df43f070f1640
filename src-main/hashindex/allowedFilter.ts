import type { Admit } from './multiIndex'
import type { SlotStore } from './slotStore'
import { popcount32 } from './words'

/** Patch ids a search may return (e.g. a catalog query's matches). */
export type AllowedIds = Int32Array | ReadonlySet<number> | readonly number[]

/** Bytes of the kernels' filter block: 6 × u32 (see wasm/hamming.as.ts). */
const FILTER_BYTES = 24

/**
 * What one search may return: removed slots never, and with allowed ids only those. For a scan it is the
 * kernels' filter block in wasm memory (ids, tombstones, an allow bitmap by id when the ids are dense enough,
 * else by slot); for probing the same test as a JS predicate. When few ids are allowed it lists them instead
 * (sorted, unique) to be evaluated one by one. Its wasm memory is returned by release().
 */
export class AllowedFilter {
  /** The kernels' filter block (0 when the search is empty or direct). */
  readonly block: number = 0
  /** Nothing can match: no id is allowed, or the index holds no code. */
  readonly empty: boolean = false
  /** Allow bitmap (0: none). */
  private bitmap = 0
  /** 0: every live slot; 1: the bitmap by id − base; 2: the bitmap by slot. */
  private mode: 0 | 1 | 2 = 0
  private base = 0
  private bitCount = 0
  /** Sorted unique allowed ids when few enough to evaluate one by one. */
  private readonly ids: Int32Array | null = null

  private constructor(
    private readonly store: SlotStore,
    allowed: AllowedIds | undefined,
    preferDirect: (ids: number) => boolean,
  ) {
    if (allowed !== undefined) {
      const list = allowedList(allowed)
      if (list.length === 0 || store.live === 0) this.empty = true
      else if (preferDirect(list.length)) this.ids = uniqueSorted(list)
      else this.fillBitmap(list)
    }
    if (!this.empty && !this.ids) {
      const mem = store.mem
      this.block = mem.alloc(FILTER_BYTES)
      const u32 = mem.u32
      const b = this.block >>> 2
      u32[b] = store.regions.ids
      u32[b + 1] = store.regions.dead
      u32[b + 2] = this.bitmap
      u32[b + 3] = this.mode
      u32[b + 4] = this.base >>> 0
      u32[b + 5] = this.bitCount
    }
  }

  /**
   * The filter of one search over the store as it is now; `preferDirect(n)` says whether evaluating n allowed
   * ids one by one is cheaper than a scan or probing (then the filter only lists them).
   */
  static prepare(store: SlotStore, allowed: AllowedIds | undefined, preferDirect: (ids: number) => boolean = () => false): AllowedFilter {
    return new AllowedFilter(store, allowed, preferDirect)
  }

  /** The allowed ids are to be evaluated one by one (forEachAllowed), not scanned. */
  get direct(): boolean {
    return this.ids !== null
  }

  /** Every live code may be returned: a scan under this filter costs what a full scan costs. */
  get allowsAll(): boolean {
    return this.mode === 0
  }

  /** The filter as a JS predicate, for multi-index candidates. */
  admit(): Admit {
    const u8 = this.store.mem.u8
    const dead = this.store.regions.dead
    const { mode, bitmap, base, bitCount } = this
    return (slot, id) => {
      if ((u8[dead + (slot >>> 3)]! & (1 << (slot & 7))) !== 0) return false
      if (mode === 0) return true
      const bit = mode === 1 ? id - base : slot
      return bit >= 0 && bit < bitCount && (u8[bitmap + (bit >>> 3)]! & (1 << (bit & 7))) !== 0
    }
  }

  /** Visits each allowed id the index holds, with its distance to the query (a direct filter only). */
  forEachAllowed(query: Uint32Array, visit: (id: number, distance: number) => void): void {
    const ids = this.ids
    if (!ids) throw new Error('forEachAllowed needs a filter that lists its ids')
    const store = this.store
    const u32 = store.mem.u32
    const half = store.half
    const prefix = store.regions.prefix >>> 2
    const rest = store.regions.rest >>> 2
    for (let i = 0; i < ids.length; i++) {
      const slot = store.slotOf(ids[i]!)
      if (slot < 0) continue
      const p = prefix + slot * half
      const q = rest + slot * half
      let d = 0
      for (let w = 0; w < half; w++) d += popcount32(u32[p + w]! ^ query[w]!) + popcount32(u32[q + w]! ^ query[half + w]!)
      visit(ids[i]!, d)
    }
  }

  /** Returns the filter's wasm memory. */
  release(): void {
    if (this.block) this.store.mem.free(this.block)
    if (this.bitmap) this.store.mem.free(this.bitmap)
  }

  /** An allow bitmap by id (ids dense enough) or else by slot. */
  private fillBitmap(list: Int32Array): void {
    let min = Infinity
    let max = -Infinity
    for (let i = 0; i < list.length; i++) {
      const id = list[i]!
      if (id < min) min = id
      if (id > max) max = id
    }
    const store = this.store
    const range = max - min + 1
    const byId = range <= 2 * store.count + 65536 || range <= 8 * list.length
    this.mode = byId ? 1 : 2
    this.base = byId ? min : 0
    this.bitCount = byId ? range : store.count
    const bytes = Math.ceil(this.bitCount / 8)
    const bitmap = store.mem.alloc(bytes)
    this.bitmap = bitmap
    const u8 = store.mem.u8
    u8.fill(0, bitmap, bitmap + bytes)
    for (let i = 0; i < list.length; i++) {
      const bit = byId ? list[i]! - min : store.slotOf(list[i]!)
      if (bit >= 0) u8[bitmap + (bit >>> 3)]! |= 1 << (bit & 7)
    }
  }
}

function allowedList(allowed: AllowedIds): Int32Array {
  if (allowed instanceof Int32Array) return allowed
  if (allowed instanceof Set || Array.isArray(allowed)) return Int32Array.from(allowed as Iterable<number>)
  throw new Error('allowed ids must be an Int32Array, a Set or an array of patch ids')
}

function uniqueSorted(list: Int32Array): Int32Array {
  const sorted = Int32Array.from(list).sort()
  let n = 0
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[n++] = sorted[i]!
  return sorted.subarray(0, n)
}
