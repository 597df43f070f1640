import type { CodeBits } from '../hashcode/hashCode'
import { checkBits, checkId, popcount32 } from './words'
import { toCodeWords } from '../hashcode/hashCode'
import { KernelMemory } from './kernelMemory'
import { MultiIndex, chooseTableCount } from './multiIndex'
import type { Admit, CodeSource } from './multiIndex'
import type { Neighbor } from './neighbor'
import { ScanPool, defaultScanWorker, defaultWorkerCount } from './scanPool'
import type { ScanWorkerFactory } from './scanPool'
import { TopK, keyNeighbor, neighborKey } from './topK'

/** Patch ids a search may return (e.g. a catalog query's matches). */
export type AllowedIds = Int32Array | ReadonlySet<number> | readonly number[]

/** 'auto' picks the cheaper of multi-index probing and a linear scan; the others force one (tests, benchmarks). */
export type SearchStrategy = 'auto' | 'multi-index' | 'linear'

/** Options of radius and k-NN searches. */
export interface SearchOptions {
  /** Only these patch ids may be returned. */
  allowed?: AllowedIds
  /** How to search (default 'auto'). */
  strategy?: SearchStrategy
}

/** How a search was answered. */
export type SearchPlan = 'multi-index' | 'linear' | 'direct' | 'multi-index then linear'

/** Tuning of an index; the defaults suit archives from a few codes to tens of millions. */
export interface HashIndexOptions {
  /** Substring tables m (default: chosen from the archive size, see chooseTableCount). */
  tables?: number
  /** Memory per code the table count stays within for large archives (default 32 bytes). */
  maxBytesPerCode?: number
  /** Below this many codes no tables are built: a scan takes microseconds (default 4096). */
  minTableSize?: number
  /** Scan with worker threads from this many codes on (default 1,000,000; Infinity: never). */
  workerThreshold?: number
  /** Scan workers (default: one per core, at most 4). */
  workers?: number
  /** Creates a scan worker (default: an eval'd node:worker_threads Worker, see scanPool.ts). */
  workerFactory?: ScanWorkerFactory
  /** Added-but-unindexed plus removed codes that trigger a compaction and table rebuild (default max(65536, size/16)). */
  rebuildAfter?: number
  /** Use a shared memory and workers where the runtime allows (default true). */
  sharedMemory?: boolean
}

/** What an index holds and how (for logs and benchmarks). */
export interface HashIndexStats {
  size: number
  bits: CodeBits
  tables: number
  substringBits: number[]
  indexed: number
  unindexed: number
  removed: number
  workers: number
  sharedMemory: boolean
  memoryBytes: number
  plans: Record<SearchPlan, number>
}

/** Scan cost per code on one thread before one is measured, in ns (codes in cache). */
const SCAN_NS = 1.2
/** The same when the codes exceed the caches (memory-bound). */
const SCAN_NS_LARGE = 2.5
/** Round trip of a job to the scan workers, in ns. */
const WORKER_NS = 150_000
/** Cost of evaluating one allowed id directly (id → slot by binary search, distance in JS), in ns. */
const DIRECT_NS = 150
/**
 * Share of a scan's time a k-NN may spend probing before it falls back to the scan (seeded with what it
 * found): generous while scans are in-cache and inline, small for worker scans of large indexes, whose few
 * tables (memory budget) only find the neighbours of tight clusters.
 */
const KNN_PROBE_SHARE = 1
const KNN_PROBE_SHARE_LARGE = 0.1
const FILTER_BYTES = 24

interface Regions {
  prefix: number
  rest: number
  ids: number
  dead: number
}

interface Filter {
  /** The kernels' filter block. */
  block: number
  /** Allow bitmap (0: none). */
  bitmap: number
  mode: 0 | 1 | 2
  base: number
  bitCount: number
  /** Nothing can match. */
  empty: boolean
  /** Sorted unique allowed ids when few enough to evaluate one by one. */
  direct: Int32Array | null
}

/**
 * Exact search in Hamming space over the binary codes of one hash model: lookup of identical codes, radius
 * search and k nearest neighbours (ties by id), optionally restricted to allowed patch ids, with additions
 * and removals between searches. Codes live in a WebAssembly memory scanned by the kernels of
 * wasm/hamming.as.ts; large indexes are scanned by worker threads in parallel; multi-index hashing answers
 * small radii without a scan. Searches are async so a large scan never blocks the caller's event loop.
 */
export class HashIndex {
  readonly bits: CodeBits
  private readonly words: number
  private readonly half: number
  private readonly mem: KernelMemory
  private readonly minTableSize: number
  private readonly workerThreshold: number
  private readonly workerCount: number
  private readonly workerFactory: ScanWorkerFactory
  private capacity = 0
  /** Slots in use: live and removed. */
  private count = 0
  private live = 0
  private removed = 0
  private regions: Regions
  /** Slots [0, sortedEnd) hold ascending ids; later slots are found through `unsorted`. */
  private sortedEnd = 0
  private readonly unsorted = new Map<number, number>()
  private tables: MultiIndex | null = null
  /** Slots [0, indexedEnd) are in the tables; later ones are scanned. */
  private indexedEnd = 0
  private pool: ScanPool | null = null
  /** Measured time of a full scan per code, in ns (moving average; 0 until measured). */
  private scanNsPerCode = 0
  /** Worker scans running; regions replaced meanwhile are freed when none runs. */
  private running = 0
  private readonly retired: number[] = []
  private closed = false
  private readonly planCounts: Record<SearchPlan, number> = { 'multi-index': 0, linear: 0, direct: 0, 'multi-index then linear': 0 }

  private constructor(
    bits: CodeBits,
    capacity: number,
    private readonly options: HashIndexOptions,
  ) {
    this.bits = bits
    this.words = bits / 32
    this.half = this.words / 2
    this.minTableSize = options.minTableSize ?? 4096
    this.workerThreshold = options.workerThreshold ?? 1_000_000
    this.workerCount = options.workers ?? defaultWorkerCount()
    this.workerFactory = options.workerFactory ?? defaultScanWorker
    if (options.tables !== undefined) MultiIndex.assertTableCount(bits, options.tables)
    this.mem = new KernelMemory(capacity * (bits / 8 + 4.125) + 4096, options.sharedMemory ?? true)
    this.capacity = capacity
    this.regions = this.allocRegions(capacity)
  }

  /** An empty index of `bits`-bit codes. */
  static create(bits: number, options: HashIndexOptions = {}): HashIndex {
    return new HashIndex(checkBits(bits), 0, options)
  }

  /**
   * An index over codes as the catalog loads them (loadCodes): code i is words [i·W, (i+1)·W), W = bits/32,
   * with patch id ids[i]. Ids need not be sorted but must be unique.
   */
  static fromArrays(bits: number, ids: Int32Array | readonly number[], words: Uint32Array, options: HashIndexOptions = {}): HashIndex {
    const k = checkBits(bits)
    const w = k / 32
    const n = ids.length
    if (words.length !== n * w) {
      throw new Error(`words has ${words.length} entries; ${n} ids × ${w} words per ${k}-bit code need ${n * w}`)
    }
    let ascending = true
    for (let i = 0; i < n; i++) {
      checkId(ids[i]!)
      if (i > 0 && ids[i]! <= ids[i - 1]!) ascending = false
    }
    let order: Uint32Array | null = null
    if (!ascending) {
      order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => ids[a]! - ids[b]!)
      for (let i = 1; i < n; i++) if (ids[order[i]!] === ids[order[i - 1]!]) throw new Error(`id ${ids[order[i]!]} appears twice in the codes`)
    }
    const index = new HashIndex(k, n, options)
    const u32 = index.mem.u32
    const i32 = index.mem.i32
    const half = index.half
    const prefix = index.regions.prefix >>> 2
    const rest = index.regions.rest >>> 2
    const idBase = index.regions.ids >>> 2
    for (let i = 0; i < n; i++) {
      const from = order ? order[i]! : i
      const src = from * w
      for (let j = 0; j < half; j++) {
        u32[prefix + i * half + j] = words[src + j]!
        u32[rest + i * half + j] = words[src + half + j]!
      }
      i32[idBase + i] = ids[from]!
    }
    index.count = n
    index.live = n
    index.sortedEnd = n
    index.buildTables()
    index.startWorkersIfLarge()
    return index
  }

  /** Number of codes. */
  get size(): number {
    return this.live
  }

  /** Adds a code for a patch id, replacing the id's code if it has one. */
  add(id: number, code: Uint8Array | Uint32Array): void {
    this.assertOpen()
    checkId(id)
    const words = toCodeWords(code, this.bits)
    const old = this.slotOf(id)
    if (old >= 0) this.markRemoved(old, id)
    this.ensureCapacity(this.count + 1)
    const slot = this.count
    this.writeCode(slot, words)
    const i32 = this.mem.i32
    i32[(this.regions.ids >>> 2) + slot] = id
    if (this.sortedEnd === slot && (slot === 0 || id > i32[(this.regions.ids >>> 2) + slot - 1]!)) this.sortedEnd++
    else this.unsorted.set(id, slot)
    this.count++
    this.live++
    this.maintain()
    this.startWorkersIfLarge()
  }

  /** Removes a patch's code; false when it had none. */
  remove(id: number): boolean {
    this.assertOpen()
    const slot = this.slotOf(id)
    if (slot < 0) return false
    this.markRemoved(slot, id)
    this.maintain()
    return true
  }

  /** Whether the index holds a code for this patch id. */
  has(id: number): boolean {
    return this.slotOf(id) >= 0
  }

  /** A copy of the patch's code as words (little-endian words of the code bytes), or undefined. */
  codeOf(id: number): Uint32Array | undefined {
    const slot = this.slotOf(id)
    if (slot < 0) return undefined
    const out = new Uint32Array(this.words)
    const u32 = this.mem.u32
    for (let w = 0; w < this.half; w++) {
      out[w] = u32[(this.regions.prefix >>> 2) + slot * this.half + w]!
      out[this.half + w] = u32[(this.regions.rest >>> 2) + slot * this.half + w]!
    }
    return out
  }

  /** Ids whose code equals this code exactly (a hash bucket), ascending. Synchronous. */
  lookup(code: Uint8Array | Uint32Array): number[] {
    this.assertOpen()
    const query = toCodeWords(code, this.bits)
    const filter = this.prepareFilter(undefined)
    try {
      const keys: number[] = []
      const emit = (id: number, distance: number): void => void keys.push(neighborKey(distance, id))
      if (this.tables) this.tables.radius(this.source(), query, 0, this.admitter(filter), emit, Infinity)
      this.scanRadiusInline(query, 0, filter, this.tables ? this.indexedEnd : 0, this.count, keys)
      return sortKeys(keys).map((n) => n.id)
    } finally {
      this.releaseFilter(filter)
    }
  }

  /** Ids within Hamming distance r (0 ≤ r ≤ bits/4) of the code, by distance then id. */
  async radius(code: Uint8Array | Uint32Array, r: number, options: SearchOptions = {}): Promise<Neighbor[]> {
    this.assertOpen()
    const query = toCodeWords(code, this.bits)
    if (!Number.isInteger(r) || r < 0 || r > this.bits / 4) {
      throw new Error(`radius ${r} is out of range 0–${this.bits / 4} for ${this.bits}-bit codes`)
    }
    const strategy = checkStrategy(options.strategy)
    if (this.count === 0) return []
    // Allowed ids one by one when that beats both a scan and probing.
    const probeMs = this.tables && strategy !== 'linear' ? this.tables.radiusMs(r) : Infinity
    const filter = this.prepareFilter(options.allowed, strategy === 'auto' ? Math.min(this.scanMs() / 2, probeMs) : 0)
    try {
      if (filter.empty) return []
      if (filter.direct) {
        this.planCounts.direct++
        const keys: number[] = []
        this.forEachAllowed(filter.direct, query, (id, d) => {
          if (d <= r) keys.push(neighborKey(d, id))
        })
        return sortKeys(keys)
      }
      let fallback = false
      if (this.tables && strategy !== 'linear') {
        const scanMs = this.scanMs()
        if (strategy === 'multi-index' || probeMs < scanMs) {
          const keys: number[] = []
          const emit = (id: number, distance: number): void => void keys.push(neighborKey(distance, id))
          const deadline = strategy === 'multi-index' ? Infinity : performance.now() + scanMs
          if (this.tables.radius(this.source(), query, r, this.admitter(filter), emit, deadline)) {
            this.scanRadiusInline(query, r, filter, this.indexedEnd, this.count, keys)
            this.planCounts['multi-index']++
            return sortKeys(keys)
          }
          fallback = true
        }
      }
      this.planCounts[fallback ? 'multi-index then linear' : 'linear']++
      return await this.holdingRegions(() => this.scanRadius(query, r, filter))
    } finally {
      this.releaseFilter(filter)
    }
  }

  /** The k nearest codes' ids (exact; ties by id), by distance then id. */
  async knn(code: Uint8Array | Uint32Array, k: number, options: SearchOptions = {}): Promise<Neighbor[]> {
    this.assertOpen()
    const query = toCodeWords(code, this.bits)
    if (!Number.isInteger(k) || k <= 0) throw new Error(`k must be a positive integer, not ${k}`)
    const strategy = checkStrategy(options.strategy)
    const want = Math.min(k, this.live)
    if (want === 0) return []
    const filter = this.prepareFilter(options.allowed, strategy === 'auto' ? this.scanMs() / 2 : 0)
    try {
      if (filter.empty) return []
      if (filter.direct) {
        this.planCounts.direct++
        const top = new TopK(want)
        this.forEachAllowed(filter.direct, query, (id, d) => top.push(d, id))
        return top.sorted()
      }
      let tau: number = this.bits
      let fallback = false
      if (this.tables && strategy !== 'linear') {
        const top = new TopK(want)
        const keys: number[] = []
        this.scanKnnInline(query, want, this.bits, filter, this.indexedEnd, this.count, keys)
        for (const key of keys) top.pushKey(key)
        const share = this.scanParts().length > 1 ? KNN_PROBE_SHARE_LARGE : KNN_PROBE_SHARE
        const deadline = strategy === 'multi-index' ? Infinity : performance.now() + this.scanMs() * share
        if (this.tables.nearest(this.source(), query, this.admitter(filter), top, deadline)) {
          this.planCounts['multi-index']++
          return top.sorted()
        }
        // What probing found bounds the k-th distance: the scan only needs codes up to it.
        if (top.full) tau = top.worstDistance()
        fallback = true
      }
      this.planCounts[fallback ? 'multi-index then linear' : 'linear']++
      return await this.holdingRegions(() => this.scanKnn(query, want, tau, filter))
    } finally {
      this.releaseFilter(filter)
    }
  }

  /** Bytes the index holds: its wasm memory (codes, ids, bitmaps, scratch) and its tables. */
  memoryBytes(): number {
    return this.mem.byteLength + (this.tables?.bytes() ?? 0) + this.unsorted.size * 40
  }

  /** What the index holds and how. */
  stats(): HashIndexStats {
    return {
      size: this.live,
      bits: this.bits,
      tables: this.tables?.tableCount ?? 0,
      substringBits: this.tables?.substringBits ?? [],
      indexed: this.indexedEnd,
      unindexed: this.count - this.indexedEnd,
      removed: this.removed,
      workers: this.pool?.size ?? 0,
      sharedMemory: this.mem.shared,
      memoryBytes: this.memoryBytes(),
      plans: { ...this.planCounts },
    }
  }

  /** Stops the scan workers; the index cannot be used afterwards. */
  close(): void {
    this.closed = true
    this.pool?.close()
    this.pool = null
  }

  // --- slots ---

  private slotOf(id: number): number {
    const unsorted = this.unsorted.get(id)
    if (unsorted !== undefined) return unsorted
    const i32 = this.mem.i32
    const base = this.regions.ids >>> 2
    let lo = 0
    let hi = this.sortedEnd
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (i32[base + mid]! < id) lo = mid + 1
      else hi = mid
    }
    return lo < this.sortedEnd && i32[base + lo] === id && !this.isRemoved(lo) ? lo : -1
  }

  private isRemoved(slot: number): boolean {
    return (this.mem.u8[this.regions.dead + (slot >>> 3)]! & (1 << (slot & 7))) !== 0
  }

  private markRemoved(slot: number, id: number): void {
    this.mem.u8[this.regions.dead + (slot >>> 3)]! |= 1 << (slot & 7)
    this.unsorted.delete(id)
    this.live--
    this.removed++
  }

  private writeCode(slot: number, words: Uint32Array): void {
    const u32 = this.mem.u32
    const p = (this.regions.prefix >>> 2) + slot * this.half
    const q = (this.regions.rest >>> 2) + slot * this.half
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
    const old = this.regions
    const next = this.allocRegions(capacity)
    const u8 = this.mem.u8
    const codeBytes = this.count * this.half * 4
    u8.copyWithin(next.prefix, old.prefix, old.prefix + codeBytes)
    u8.copyWithin(next.rest, old.rest, old.rest + codeBytes)
    u8.copyWithin(next.ids, old.ids, old.ids + this.count * 4)
    u8.copyWithin(next.dead, old.dead, old.dead + Math.ceil(this.count / 8))
    this.regions = next
    this.capacity = capacity
    this.retire(old)
  }

  /** Compacts (drops removed slots, orders slots by id) and rebuilds the tables when enough has changed. */
  private maintain(): void {
    const unindexed = this.tables ? this.count - this.indexedEnd : this.count >= this.minTableSize ? this.count : 0
    const limit = this.options.rebuildAfter ?? Math.max(65536, this.live >>> 4)
    if (unindexed + this.removed > limit) this.rebuild()
  }

  private rebuild(): void {
    const order = this.liveSlotsById()
    const n = order.length
    const old = this.regions
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
    this.regions = next
    this.capacity = capacity
    this.retire(old)
    this.count = n
    this.live = n
    this.removed = 0
    this.sortedEnd = n
    this.unsorted.clear()
    this.buildTables()
  }

  /** Live slots in ascending id order: the sorted region merged with the unsorted additions. */
  private liveSlotsById(): Uint32Array {
    const out = new Uint32Array(this.live)
    const i32 = this.mem.i32
    const base = this.regions.ids >>> 2
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

  private buildTables(): void {
    this.tables = null
    this.indexedEnd = 0
    if (this.count < this.minTableSize || this.count === 0) return
    const m = this.options.tables ?? chooseTableCount(this.bits, this.count, this.options.maxBytesPerCode)
    this.tables = MultiIndex.build(this.bits, this.source(), this.count, m)
    this.indexedEnd = this.count
  }

  /** Frees replaced regions now, or when the worker scans that may read them have finished. */
  private retire(regions: Regions): void {
    this.retired.push(regions.prefix, regions.rest, regions.ids, regions.dead)
    if (this.running === 0) this.freeRetired()
  }

  private freeRetired(): void {
    for (const ptr of this.retired.splice(0)) this.mem.free(ptr)
  }

  private startWorkersIfLarge(): void {
    if (!this.pool && this.mem.shared && this.workerCount > 0 && this.count >= this.workerThreshold && !this.closed) {
      this.pool = new ScanPool(this.workerCount, this.workerFactory, this.mem.module, this.mem.memory)
    }
  }

  private source(): CodeSource {
    return {
      words: this.mem.u32,
      prefixBase: this.regions.prefix >>> 2,
      restBase: this.regions.rest >>> 2,
      half: this.half,
      ids: this.mem.i32,
      idsBase: this.regions.ids >>> 2,
    }
  }

  // --- filters ---

  /**
   * The kernels' filter for allowed ids; `directBelow` (ms): when evaluating the allowed ids one by one costs
   * less, the filter only lists them (sorted, unique) for forEachAllowed.
   */
  private prepareFilter(allowed: AllowedIds | undefined, directBelow = 0): Filter {
    const filter: Filter = { block: 0, bitmap: 0, mode: 0, base: 0, bitCount: 0, empty: false, direct: null }
    if (allowed !== undefined) {
      const list = allowedList(allowed)
      if (list.length === 0 || this.live === 0) filter.empty = true
      else if ((list.length * DIRECT_NS) / 1e6 < directBelow) filter.direct = uniqueSorted(list)
      else this.fillBitmap(filter, list)
    }
    if (!filter.empty && !filter.direct) {
      filter.block = this.mem.alloc(FILTER_BYTES)
      const u32 = this.mem.u32
      const b = filter.block >>> 2
      u32[b] = this.regions.ids
      u32[b + 1] = this.regions.dead
      u32[b + 2] = filter.bitmap
      u32[b + 3] = filter.mode
      u32[b + 4] = filter.base >>> 0
      u32[b + 5] = filter.bitCount
    }
    return filter
  }

  /** An allow bitmap by id (ids dense enough) or else by slot. */
  private fillBitmap(filter: Filter, list: Int32Array): void {
    let min = Infinity
    let max = -Infinity
    for (let i = 0; i < list.length; i++) {
      const id = list[i]!
      if (id < min) min = id
      if (id > max) max = id
    }
    const range = max - min + 1
    const byId = range <= 2 * this.count + 65536 || range <= 8 * list.length
    filter.mode = byId ? 1 : 2
    filter.base = byId ? min : 0
    filter.bitCount = byId ? range : this.count
    const bytes = Math.ceil(filter.bitCount / 8)
    filter.bitmap = this.mem.alloc(bytes)
    const u8 = this.mem.u8
    u8.fill(0, filter.bitmap, filter.bitmap + bytes)
    for (let i = 0; i < list.length; i++) {
      const bit = byId ? list[i]! - min : this.slotOf(list[i]!)
      if (bit >= 0) u8[filter.bitmap + (bit >>> 3)]! |= 1 << (bit & 7)
    }
  }

  private releaseFilter(filter: Filter): void {
    if (filter.block) this.mem.free(filter.block)
    if (filter.bitmap) this.mem.free(filter.bitmap)
  }

  /** The filter as a JS predicate, for multi-index candidates. */
  private admitter(filter: Filter): Admit {
    const u8 = this.mem.u8
    const dead = this.regions.dead
    const { mode, bitmap, base, bitCount } = filter
    return (slot, id) => {
      if ((u8[dead + (slot >>> 3)]! & (1 << (slot & 7))) !== 0) return false
      if (mode === 0) return true
      const bit = mode === 1 ? id - base : slot
      return bit >= 0 && bit < bitCount && (u8[bitmap + (bit >>> 3)]! & (1 << (bit & 7))) !== 0
    }
  }

  private forEachAllowed(ids: Int32Array, query: Uint32Array, visit: (id: number, distance: number) => void): void {
    const u32 = this.mem.u32
    const half = this.half
    for (let i = 0; i < ids.length; i++) {
      const slot = this.slotOf(ids[i]!)
      if (slot < 0) continue
      const p = (this.regions.prefix >>> 2) + slot * half
      const q = (this.regions.rest >>> 2) + slot * half
      let d = 0
      for (let w = 0; w < half; w++) d += popcount32(u32[p + w]! ^ query[w]!) + popcount32(u32[q + w]! ^ query[half + w]!)
      visit(ids[i]!, d)
    }
  }

  // --- scans ---

  /** Expected time of a full scan in ms, on the workers when the index is large: measured once scans ran. */
  private scanMs(): number {
    if (this.scanNsPerCode > 0) return (this.count * this.scanNsPerCode) / 1e6
    const parts = this.scanParts().length
    const perCode = this.count * this.words * 4 > 32 * 2 ** 20 ? SCAN_NS_LARGE : SCAN_NS
    return ((this.count * perCode) / parts + (parts > 1 ? WORKER_NS : 0)) / 1e6
  }

  /** Folds a full scan's measured time into scanNsPerCode (at most 3× the estimate: the first may include worker start-up). */
  private measuredScan(ms: number): void {
    if (this.count < 1024) return
    const ns = (Math.min(ms, 3 * this.scanMs()) * 1e6) / this.count
    this.scanNsPerCode = this.scanNsPerCode > 0 ? 0.8 * this.scanNsPerCode + 0.2 * ns : ns
  }

  /** Slot ranges scanned in parallel: one per worker for large indexes, else one inline. */
  private scanParts(): [number, number][] {
    const workers = this.pool?.usable && this.count >= this.workerThreshold ? this.pool.size : 1
    const parts: [number, number][] = []
    for (let p = 0; p < workers; p++) parts.push([Math.floor((this.count * p) / workers), Math.floor((this.count * (p + 1)) / workers)])
    return parts
  }

  private writeQuery(query: Uint32Array): number {
    const ptr = this.mem.alloc(this.words * 4)
    this.mem.u32.set(query, ptr >>> 2)
    return ptr
  }

  /** Runs one kernel call per part, on the workers (in parallel) or inline. */
  private async runParts(kernel: 'knnScan' | 'radiusScan', argsOf: (part: number) => number[], parts: number): Promise<number[]> {
    const pool = this.pool
    if (parts === 1 || !pool) return Array.from({ length: parts }, (_, p) => this.callKernel(kernel, argsOf(p)))
    return await Promise.all(
      Array.from({ length: parts }, (_, p) =>
        pool.run(p, kernel, argsOf(p)).catch((error: unknown) => {
          if (this.closed) throw error
          return this.callKernel(kernel, argsOf(p)) // a worker died: scan this part here
        }),
      ),
    )
  }

  /**
   * Runs a scan that may await workers: regions replaced meanwhile (growth, compaction) stay allocated until
   * no such scan runs, as the scan and its filter block still point at them.
   */
  private async holdingRegions<T>(scan: () => Promise<T>): Promise<T> {
    this.running++
    try {
      return await scan()
    } finally {
      if (--this.running === 0) this.freeRetired()
    }
  }

  private callKernel(kernel: 'knnScan' | 'radiusScan', args: number[]): number {
    const k = this.mem.kernels
    return kernel === 'knnScan'
      ? k.knnScan(args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!, args[6]!, args[7]!, args[8]!, args[9]!)
      : k.radiusScan(args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!, args[6]!, args[7]!, args[8]!, args[9]!, args[10]!)
  }

  private async scanKnn(query: Uint32Array, k: number, tau: number, filter: Filter): Promise<Neighbor[]> {
    const started = performance.now()
    const parts = this.scanParts()
    const q = this.writeQuery(query)
    // A part contributes at most its own size: heaps sized so, as wasm memory never shrinks.
    const ks = parts.map(([from, to]) => Math.max(1, Math.min(k, to - from)))
    const heaps = ks.map((n) => this.mem.alloc(n * 8))
    const { prefix, rest } = this.regions
    try {
      const counts = await this.runParts(
        'knnScan',
        (p) => [prefix, rest, this.words, filter.block, parts[p]![0], parts[p]![1], q, ks[p]!, tau, heaps[p]!],
        parts.length,
      )
      if (filter.mode === 0) this.measuredScan(performance.now() - started)
      const top = new TopK(k)
      const u32 = this.mem.u32
      counts.forEach((count, p) => {
        const h = heaps[p]! >>> 2
        for (let j = 0; j < count; j++) top.push(u32[h + 2 * j + 1]!, (u32[h + 2 * j]! ^ 0x80000000) | 0)
      })
      return top.sorted()
    } finally {
      this.mem.free(q)
      for (const h of heaps) this.mem.free(h)
    }
  }

  private async scanRadius(query: Uint32Array, r: number, filter: Filter): Promise<Neighbor[]> {
    const parts = this.scanParts()
    const q = this.writeQuery(query)
    const { prefix, rest } = this.regions
    const caps = parts.map(([from, to]) => Math.min(to - from, 16384))
    let outs = caps.map((cap) => [this.mem.alloc(cap * 4), this.mem.alloc(cap)] as [number, number])
    try {
      const args = (p: number): number[] => [prefix, rest, this.words, filter.block, parts[p]![0], parts[p]![1], q, r, outs[p]![0], outs[p]![1], caps[p]!]
      let counts = await this.runParts('radiusScan', args, parts.length)
      if (counts.some((c, p) => c > caps[p]!)) {
        // More matches than room: scan again with room for all of them.
        for (const [ids, dist] of outs) {
          this.mem.free(ids)
          this.mem.free(dist)
        }
        counts.forEach((c, p) => (caps[p] = Math.max(c, 1)))
        outs = caps.map((cap) => [this.mem.alloc(cap * 4), this.mem.alloc(cap)] as [number, number])
        counts = await this.runParts('radiusScan', args, parts.length)
      }
      const keys: number[] = []
      const i32 = this.mem.i32
      const u8 = this.mem.u8
      counts.forEach((count, p) => {
        const [ids, dist] = outs[p]!
        for (let j = 0; j < count; j++) keys.push(neighborKey(u8[dist + j]!, i32[(ids >>> 2) + j]!))
      })
      return sortKeys(keys)
    } finally {
      this.mem.free(q)
      for (const [ids, dist] of outs) {
        this.mem.free(ids)
        this.mem.free(dist)
      }
    }
  }

  /** Radius scan of slots [from, to) on this thread, appending keys. */
  private scanRadiusInline(query: Uint32Array, r: number, filter: Filter, from: number, to: number, keys: number[]): void {
    if (to <= from) return
    const q = this.writeQuery(query)
    let cap = Math.min(to - from, 4096)
    let ids = this.mem.alloc(cap * 4)
    let dist = this.mem.alloc(cap)
    try {
      const { prefix, rest } = this.regions
      let n = this.mem.kernels.radiusScan(prefix, rest, this.words, filter.block, from, to, q, r, ids, dist, cap)
      if (n > cap) {
        this.mem.free(ids)
        this.mem.free(dist)
        cap = n
        ids = this.mem.alloc(cap * 4)
        dist = this.mem.alloc(cap)
        n = this.mem.kernels.radiusScan(prefix, rest, this.words, filter.block, from, to, q, r, ids, dist, cap)
      }
      const i32 = this.mem.i32
      const u8 = this.mem.u8
      for (let j = 0; j < n; j++) keys.push(neighborKey(u8[dist + j]!, i32[(ids >>> 2) + j]!))
    } finally {
      this.mem.free(q)
      this.mem.free(ids)
      this.mem.free(dist)
    }
  }

  /** k-NN scan of slots [from, to) on this thread, appending keys. */
  private scanKnnInline(query: Uint32Array, k: number, tau: number, filter: Filter, from: number, to: number, keys: number[]): void {
    if (to <= from) return
    const q = this.writeQuery(query)
    const heap = this.mem.alloc(k * 8)
    try {
      const n = this.mem.kernels.knnScan(this.regions.prefix, this.regions.rest, this.words, filter.block, from, to, q, k, tau, heap)
      const u32 = this.mem.u32
      for (let j = 0; j < n; j++) keys.push(neighborKey(u32[(heap >>> 2) + 2 * j + 1]!, (u32[(heap >>> 2) + 2 * j]! ^ 0x80000000) | 0))
    } finally {
      this.mem.free(q)
      this.mem.free(heap)
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the hash index is closed')
  }
}

function checkStrategy(strategy: SearchStrategy | undefined): SearchStrategy {
  if (strategy === undefined) return 'auto'
  if (strategy !== 'auto' && strategy !== 'multi-index' && strategy !== 'linear') {
    throw new Error(`search strategy ${JSON.stringify(strategy)} is not one of auto, multi-index, linear`)
  }
  return strategy
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

function sortKeys(keys: number[]): Neighbor[] {
  return Array.from(Float64Array.from(keys).sort(), keyNeighbor)
}
