import type { CodeBits } from '../hashcode/hashCode'
import { toCodeWords } from '../hashcode/hashCode'
import { AllowedFilter } from './allowedFilter'
import type { AllowedIds } from './allowedFilter'
import { LinearScan } from './linearScan'
import { MultiIndex, chooseTableCount } from './multiIndex'
import type { Neighbor } from './neighbor'
import { defaultScanWorker, defaultWorkerCount } from './scanPool'
import type { ScanWorkerFactory } from './scanPool'
import { SearchPlanner } from './searchPlanner'
import type { SearchStrategy } from './searchPlanner'
import { SlotStore } from './slotStore'
import { TopK, neighborKey, sortKeys } from './topK'
import { checkBits, checkId } from './words'

export type { AllowedIds, SearchStrategy }

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

/**
 * Exact search in Hamming space over the binary codes of one hash model: lookup of identical codes, radius
 * search and k nearest neighbours (ties by id), optionally restricted to allowed patch ids, with additions
 * and removals between searches. Codes live in a WebAssembly memory scanned by the kernels of
 * wasm/hamming.as.ts; large indexes are scanned by worker threads in parallel; multi-index hashing answers
 * small radii without a scan. Searches are async so a large scan never blocks the caller's event loop.
 */
export class HashIndex {
  readonly bits: CodeBits
  private readonly store: SlotStore
  private readonly scan: LinearScan
  private readonly planner: SearchPlanner
  private readonly minTableSize: number
  private tables: MultiIndex | null = null
  /** Slots [0, indexedEnd) are in the tables; later ones are scanned. */
  private indexedEnd = 0
  private closed = false
  private readonly planCounts: Record<SearchPlan, number> = { 'multi-index': 0, linear: 0, direct: 0, 'multi-index then linear': 0 }

  private constructor(
    bits: CodeBits,
    capacity: number,
    private readonly options: HashIndexOptions,
  ) {
    this.bits = bits
    this.minTableSize = options.minTableSize ?? 4096
    if (options.tables !== undefined) MultiIndex.assertTableCount(bits, options.tables)
    this.store = new SlotStore(bits, capacity, options.sharedMemory ?? true)
    this.scan = new LinearScan(
      this.store,
      options.workerThreshold ?? 1_000_000,
      options.workers ?? defaultWorkerCount(),
      options.workerFactory ?? defaultScanWorker,
    )
    this.planner = new SearchPlanner(this.scan)
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
    const order = SlotStore.idOrder(k, ids, words)
    const index = new HashIndex(k, ids.length, options)
    index.store.load(ids, words, order)
    index.buildTables()
    index.scan.startWorkersIfLarge()
    return index
  }

  /** Number of codes. */
  get size(): number {
    return this.store.live
  }

  /** Adds a code for a patch id, replacing the id's code if it has one. */
  add(id: number, code: Uint8Array | Uint32Array): void {
    this.assertOpen()
    checkId(id)
    this.store.append(id, toCodeWords(code, this.bits))
    this.maintain()
    this.scan.startWorkersIfLarge()
  }

  /** Removes a patch's code; false when it had none. */
  remove(id: number): boolean {
    this.assertOpen()
    if (!this.store.remove(id)) return false
    this.maintain()
    return true
  }

  /** Whether the index holds a code for this patch id. */
  has(id: number): boolean {
    return this.store.slotOf(id) >= 0
  }

  /** A copy of the patch's code as words (little-endian words of the code bytes), or undefined. */
  codeOf(id: number): Uint32Array | undefined {
    return this.store.codeOf(id)
  }

  /** Ids whose code equals this code exactly (a hash bucket), ascending. Synchronous. */
  lookup(code: Uint8Array | Uint32Array): number[] {
    this.assertOpen()
    const query = toCodeWords(code, this.bits)
    const filter = AllowedFilter.prepare(this.store, undefined)
    try {
      const keys: number[] = []
      const emit = (id: number, distance: number): void => void keys.push(neighborKey(distance, id))
      if (this.tables) this.tables.radius(this.store.source(), query, 0, filter.admit(), emit, Infinity)
      this.scan.radiusInline(query, 0, filter, this.tables ? this.indexedEnd : 0, this.store.count, keys)
      return sortKeys(keys).map((n) => n.id)
    } finally {
      filter.release()
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
    if (this.store.count === 0) return []
    // Allowed ids one by one when that beats both a scan and probing.
    const probeMs = this.tables && strategy !== 'linear' ? this.tables.radiusMs(r) : Infinity
    const filter = AllowedFilter.prepare(this.store, options.allowed, (ids) => this.planner.direct(strategy, ids, probeMs))
    try {
      if (filter.empty) return []
      if (filter.direct) {
        this.planCounts.direct++
        const keys: number[] = []
        filter.forEachAllowed(query, (id, d) => {
          if (d <= r) keys.push(neighborKey(d, id))
        })
        return sortKeys(keys)
      }
      let fallback = false
      if (this.tables && strategy !== 'linear') {
        const deadline = this.planner.radiusDeadline(strategy, probeMs)
        if (deadline !== null) {
          const keys: number[] = []
          const emit = (id: number, distance: number): void => void keys.push(neighborKey(distance, id))
          if (this.tables.radius(this.store.source(), query, r, filter.admit(), emit, deadline)) {
            this.scan.radiusInline(query, r, filter, this.indexedEnd, this.store.count, keys)
            this.planCounts['multi-index']++
            return sortKeys(keys)
          }
          fallback = true
        }
      }
      this.planCounts[fallback ? 'multi-index then linear' : 'linear']++
      return await this.scan.radius(query, r, filter)
    } finally {
      filter.release()
    }
  }

  /** The k nearest codes' ids (exact; ties by id), by distance then id. */
  async knn(code: Uint8Array | Uint32Array, k: number, options: SearchOptions = {}): Promise<Neighbor[]> {
    this.assertOpen()
    const query = toCodeWords(code, this.bits)
    if (!Number.isInteger(k) || k <= 0) throw new Error(`k must be a positive integer, not ${k}`)
    const strategy = checkStrategy(options.strategy)
    const want = Math.min(k, this.store.live)
    if (want === 0) return []
    const filter = AllowedFilter.prepare(this.store, options.allowed, (ids) => this.planner.direct(strategy, ids))
    try {
      if (filter.empty) return []
      if (filter.direct) {
        this.planCounts.direct++
        const top = new TopK(want)
        filter.forEachAllowed(query, (id, d) => top.push(d, id))
        return top.sorted()
      }
      let tau: number = this.bits
      let fallback = false
      if (this.tables && strategy !== 'linear') {
        const top = new TopK(want)
        const keys: number[] = []
        this.scan.knnInline(query, want, this.bits, filter, this.indexedEnd, this.store.count, keys)
        for (const key of keys) top.pushKey(key)
        const deadline = this.planner.knnDeadline(strategy)
        if (this.tables.nearest(this.store.source(), query, filter.admit(), top, deadline)) {
          this.planCounts['multi-index']++
          return top.sorted()
        }
        // What probing found bounds the k-th distance: the scan only needs codes up to it.
        if (top.full) tau = top.worstDistance()
        fallback = true
      }
      this.planCounts[fallback ? 'multi-index then linear' : 'linear']++
      return await this.scan.knn(query, want, tau, filter)
    } finally {
      filter.release()
    }
  }

  /** Bytes the index holds: its wasm memory (codes, ids, bitmaps, scratch) and its tables. */
  memoryBytes(): number {
    return this.store.bytes() + (this.tables?.bytes() ?? 0)
  }

  /** What the index holds and how. */
  stats(): HashIndexStats {
    return {
      size: this.store.live,
      bits: this.bits,
      tables: this.tables?.tableCount ?? 0,
      substringBits: this.tables?.substringBits ?? [],
      indexed: this.indexedEnd,
      unindexed: this.store.count - this.indexedEnd,
      removed: this.store.removed,
      workers: this.scan.workers,
      sharedMemory: this.store.mem.shared,
      memoryBytes: this.memoryBytes(),
      plans: { ...this.planCounts },
    }
  }

  /** Stops the scan workers; the index cannot be used afterwards. */
  close(): void {
    this.closed = true
    this.scan.close()
  }

  /** Compacts the slots (drops removed ones, orders them by id) and rebuilds the tables when enough has changed. */
  private maintain(): void {
    const count = this.store.count
    const unindexed = this.tables ? count - this.indexedEnd : count >= this.minTableSize ? count : 0
    const limit = this.options.rebuildAfter ?? Math.max(65536, this.store.live >>> 4)
    if (unindexed + this.store.removed > limit) {
      this.store.compact()
      this.buildTables()
    }
  }

  private buildTables(): void {
    this.tables = null
    this.indexedEnd = 0
    const count = this.store.count
    if (count < this.minTableSize || count === 0) return
    const m = this.options.tables ?? chooseTableCount(this.bits, count, this.options.maxBytesPerCode)
    this.tables = MultiIndex.build(this.bits, this.store.source(), count, m)
    this.indexedEnd = count
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
