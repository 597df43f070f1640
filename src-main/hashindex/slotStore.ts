import type { CodeBits } from '../hashcode/hashCode'
import { KernelMemory } from './kernelMemory'
import type { CodeSource } from './multiIndex'
import { checkId } from './words'

/** Byte offsets of a store's arrays in the kernel memory; growth and compaction replace them all at once. */
interface Regions {
  /** First halves of the codes (half words per slot). */
  prefix: number
  /** Second halves of the codes. */
  rest: number
  /** Patch id per slot. */
  ids: number
  /** Removal bit per slot. */
  dead: number
}

/**
 * The codes of one index by slot, in its kernel memory: each code's two halves in two arrays (a scan reads
 * both as separate streams), its patch id, and a removal bit. A removed code is a tombstone, so slots never
 * move between compactions and the tables stay valid. Slots [0, sortedEnd) hold ascending ids (found by binary
 * search); codes added out of id order are found through a map. Compaction drops the tombstones and orders
 * the slots by id again. Regions replaced while a worker scan may still read them are freed when none runs.
 */
export class SlotStore {
  /** Words per code. */
  readonly words: number
  /** Words per half code. */
  readonly half: number
  readonly mem: KernelMemory
  private capacity: number
  /** Slots in use: live and removed. */
  private used = 0
  private liveCount = 0
  private removedCount = 0
  private current: Regions
  /** Slots [0, sortedEnd) hold ascending ids; later slots are found through `unsorted`. */
  private sortedEnd = 0
  private readonly unsorted = new Map<number, number>()
  /** Worker scans running; regions replaced meanwhile are freed when none runs. */
  private running = 0
  private readonly retired: number[] = []

  /** An empty store with room for `capacity` codes; its memory is shared unless `preferShared` is false or the runtime cannot. */
  constructor(bits: CodeBits, capacity: number, preferShared: boolean) {
    this.words = bits / 32
    this.half = this.words / 2
    this.mem = new KernelMemory(capacity * (bits / 8 + 4.125) + 4096, preferShared)
    this.capacity = capacity
    this.current = this.allocRegions(capacity)
  }

  /**
   * Checks codes as the catalog loads them (code i is words [i·W, (i+1)·W), patch id ids[i]) before any
   * memory is taken: the slot order that sorts them by id, or null when they already are.
   */
  static idOrder(bits: CodeBits, ids: Int32Array | readonly number[], words: Uint32Array): Uint32Array | null {
    const w = bits / 32
    const n = ids.length
    if (words.length !== n * w) {
      throw new Error(`words has ${words.length} entries; ${n} ids × ${w} words per ${bits}-bit code need ${n * w}`)
    }
    let ascending = true
    for (let i = 0; i < n; i++) {
      checkId(ids[i]!)
      if (i > 0 && ids[i]! <= ids[i - 1]!) ascending = false
    }
    if (ascending) return null
    const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => ids[a]! - ids[b]!)
    for (let i = 1; i < n; i++) if (ids[order[i]!] === ids[order[i - 1]!]) throw new Error(`id ${ids[order[i]!]} appears twice in the codes`)
    return order
  }

  /** Fills an empty store made for ids.length codes with codes checked by idOrder, in that order. */
  load(ids: Int32Array | readonly number[], words: Uint32Array, order: Uint32Array | null): void {
    const n = ids.length
    const w = this.words
    const u32 = this.mem.u32
    const i32 = this.mem.i32
    const half = this.half
    const prefix = this.current.prefix >>> 2
    const rest = this.current.rest >>> 2
    const idBase = this.current.ids >>> 2
    for (let i = 0; i < n; i++) {
      const from = order ? order[i]! : i
      const src = from * w
      for (let j = 0; j < half; j++) {
        u32[prefix + i * half + j] = words[src + j]!
        u32[rest + i * half + j] = words[src + half + j]!
      }
      i32[idBase + i] = ids[from]!
    }
    this.used = n
    this.liveCount = n
    this.sortedEnd = n
  }

  /** Slots in use, live and removed: a scan covers [0, count). */
  get count(): number {
    return this.used
  }

  /** Codes held. */
  get live(): number {
    return this.liveCount
  }

  /** Tombstones since the last compaction. */
  get removed(): number {
    return this.removedCount
  }

  /** Where the arrays lie now (valid until the next growth or compaction). */
  get regions(): Regions {
    return this.current
  }

  /** The arrays as multi-index tables read them. */
  source(): CodeSource {
    return {
      words: this.mem.u32,
      prefixBase: this.current.prefix >>> 2,
      restBase: this.current.rest >>> 2,
      half: this.half,
      ids: this.mem.i32,
      idsBase: this.current.ids >>> 2,
    }
  }

  /** Bytes held: the kernel memory (codes, ids, bitmaps, scratch) and the map of unsorted ids. */
  bytes(): number {
    return this.mem.byteLength + this.unsorted.size * 40
  }

  /** The live slot of a patch id, or -1. */
  slotOf(id: number): number {
    const unsorted = this.unsorted.get(id)
    if (unsorted !== undefined) return unsorted
    const i32 = this.mem.i32
    const base = this.current.ids >>> 2
    let lo = 0
    let hi = this.sortedEnd
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (i32[base + mid]! < id) lo = mid + 1
      else hi = mid
    }
    return lo < this.sortedEnd && i32[base + lo] === id && !this.isRemoved(lo) ? lo : -1
  }

  /** A copy of a patch's code as words, or undefined. */
  codeOf(id: number): Uint32Array | undefined {
    const slot = this.slotOf(id)
    if (slot < 0) return undefined
    const out = new Uint32Array(this.words)
    const u32 = this.mem.u32
    for (let w = 0; w < this.half; w++) {
      out[w] = u32[(this.current.prefix >>> 2) + slot * this.half + w]!
      out[this.half + w] = u32[(this.current.rest >>> 2) + slot * this.half + w]!
    }
    return out
  }

  /** Puts a patch's code in a new slot, the id's old slot (if any) becoming a tombstone. */
  append(id: number, words: Uint32Array): void {
    const old = this.slotOf(id)
    if (old >= 0) this.markRemoved(old, id)
    this.ensureCapacity(this.used + 1)
    const slot = this.used
    this.writeCode(slot, words)
    const i32 = this.mem.i32
    i32[(this.current.ids >>> 2) + slot] = id
    if (this.sortedEnd === slot && (slot === 0 || id > i32[(this.current.ids >>> 2) + slot - 1]!)) this.sortedEnd++
    else this.unsorted.set(id, slot)
    this.used++
    this.liveCount++
  }

  /** Makes a patch's slot a tombstone; false when it had none. */
  remove(id: number): boolean {
    const slot = this.slotOf(id)
    if (slot < 0) return false
    this.markRemoved(slot, id)
    return true
  }

  /** Drops the tombstones and orders the slots by id again, in new regions: slot numbers change. */
  compact(): void {
    const order = this.liveSlotsById()
    const n = order.length
    const old = this.current
    const capacity = n + Math.max(1024, n >>> 3)
    const next = this.allocRegions(capacity)
    const u32 = this.mem.u32
    const i32 = this.mem.i32
    const half = this.half
    for (let i = 0; i < n; i++) {
      const s = order[i]!
      for (let w = 0; w < half; w++) {
        u32[(next.prefix >>> 2) + i * half + w] = u32[(old.prefix >>> 2) + s * half + w]!
        u32[(next.rest >>> 2) + i * half + w] = u32[(old.rest >>> 2) + s * half + w]!
      }
      i32[(next.ids >>> 2) + i] = i32[(old.ids >>> 2) + s]!
    }
    this.current = next
    this.capacity = capacity
    this.retire(old)
    this.used = n
    this.liveCount = n
    this.removedCount = 0
    this.sortedEnd = n
    this.unsorted.clear()
  }

  /**
   * Runs a scan that may await workers: regions replaced meanwhile (growth, compaction) stay allocated until
   * no such scan runs, as the scan and its filter block still point at them.
   */
  async holdingRegions<T>(scan: () => Promise<T>): Promise<T> {
    this.running++
    try {
      return await scan()
    } finally {
      if (--this.running === 0) this.freeRetired()
    }
  }

  private isRemoved(slot: number): boolean {
    return (this.mem.u8[this.current.dead + (slot >>> 3)]! & (1 << (slot & 7))) !== 0
  }

  private markRemoved(slot: number, id: number): void {
    this.mem.u8[this.current.dead + (slot >>> 3)]! |= 1 << (slot & 7)
    this.unsorted.delete(id)
    this.liveCount--
    this.removedCount++
  }

  private writeCode(slot: number, words: Uint32Array): void {
    const u32 = this.mem.u32
    const p = (this.current.prefix >>> 2) + slot * this.half
    const q = (this.current.rest >>> 2) + slot * this.half
    for (let w = 0; w < this.half; w++) {
      u32[p + w] = words[w]!
      u32[q + w] = words[this.half + w]!
    }
  }

  private allocRegions(capacity: number): Regions {
    const codeBytes = capacity * this.half * 4
    const regions = {
      prefix: this.mem.alloc(codeBytes),
      rest: this.mem.alloc(codeBytes),
      ids: this.mem.alloc(capacity * 4),
      dead: this.mem.alloc(Math.ceil(capacity / 8)),
    }
    this.mem.u8.fill(0, regions.dead, regions.dead + Math.ceil(capacity / 8))
    return regions
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.capacity) return
    const capacity = Math.max(needed, this.capacity + Math.max(1024, this.capacity >>> 2))
    const old = this.current
    const next = this.allocRegions(capacity)
    const u8 = this.mem.u8
    const codeBytes = this.used * this.half * 4
    u8.copyWithin(next.prefix, old.prefix, old.prefix + codeBytes)
    u8.copyWithin(next.rest, old.rest, old.rest + codeBytes)
    u8.copyWithin(next.ids, old.ids, old.ids + this.used * 4)
    u8.copyWithin(next.dead, old.dead, old.dead + Math.ceil(this.used / 8))
    this.current = next
    this.capacity = capacity
    this.retire(old)
  }

  /** Live slots in ascending id order: the sorted region merged with the unsorted additions. */
  private liveSlotsById(): Uint32Array {
    const out = new Uint32Array(this.liveCount)
    const i32 = this.mem.i32
    const base = this.current.ids >>> 2
    const extra = [...this.unsorted.entries()].sort((a, b) => a[0] - b[0])
    let n = 0
    let e = 0
    for (let s = 0; s < this.sortedEnd; s++) {
      if (this.isRemoved(s)) continue
      const id = i32[base + s]!
      while (e < extra.length && extra[e]![0] < id) out[n++] = extra[e++]![1]
      out[n++] = s
    }
    while (e < extra.length) out[n++] = extra[e++]![1]
    return out
  }

  /** Frees replaced regions now, or when the worker scans that may read them have finished. */
  private retire(regions: Regions): void {
    this.retired.push(regions.prefix, regions.rest, regions.ids, regions.dead)
    if (this.running === 0) this.freeRetired()
  }

  private freeRetired(): void {
    for (const ptr of this.retired.splice(0)) this.mem.free(ptr)
  }
}
