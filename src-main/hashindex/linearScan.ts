import type { AllowedFilter } from './allowedFilter'
import type { Neighbor } from './neighbor'
import { ScanPool } from './scanPool'
import type { ScanWorkerFactory } from './scanPool'
import type { SlotStore } from './slotStore'
import { TopK, neighborKey, sortKeys } from './topK'

/** Scan cost per code on one thread before one is measured, in ns (codes in cache). */
const SCAN_NS = 1.2
/** The same when the codes exceed the caches (memory-bound). */
const SCAN_NS_LARGE = 2.5
/** Round trip of a job to the scan workers, in ns. */
const WORKER_NS = 150_000

type Kernel = 'knnScan' | 'radiusScan'

/**
 * The linear scan of a store's slots by the wasm kernels: inline on this thread, or, once the store is large,
 * split into one part per worker of a ScanPool reading the shared memory in place (a part whose worker fails
 * is scanned here). Like the tables, it knows its own cost: estimated until full scans have been timed.
 */
export class LinearScan {
  private pool: ScanPool | null = null
  /** Measured time of a full scan per code, in ns (moving average; 0 until measured). */
  private nsPerCode = 0
  private closed = false

  constructor(
    private readonly store: SlotStore,
    /** Scan with workers from this many codes on. */
    private readonly workerThreshold: number,
    private readonly workerCount: number,
    private readonly workerFactory: ScanWorkerFactory,
  ) {}

  /** Scan workers running. */
  get workers(): number {
    return this.pool?.size ?? 0
  }

  /** Whether a full scan is split over several workers. */
  get parallel(): boolean {
    return this.partCount() > 1
  }

  /** Starts the workers once the store is large enough, if its memory is shared. */
  startWorkersIfLarge(): void {
    const store = this.store
    if (!this.pool && store.mem.shared && this.workerCount > 0 && store.count >= this.workerThreshold && !this.closed) {
      this.pool = new ScanPool(this.workerCount, this.workerFactory, store.mem.module, store.mem.memory)
    }
  }

  /** Expected time of a full scan in ms, on the workers when the store is large: measured once scans ran. */
  expectedMs(): number {
    const count = this.store.count
    if (this.nsPerCode > 0) return (count * this.nsPerCode) / 1e6
    const parts = this.partCount()
    const perCode = count * this.store.words * 4 > 32 * 2 ** 20 ? SCAN_NS_LARGE : SCAN_NS
    return ((count * perCode) / parts + (parts > 1 ? WORKER_NS : 0)) / 1e6
  }

  /** The k nearest admitted codes within distance tau (at most k per part), over all slots. */
  knn(query: Uint32Array, k: number, tau: number, filter: AllowedFilter): Promise<Neighbor[]> {
    return this.store.holdingRegions(() => this.knnParts(query, k, tau, filter))
  }

  /** Admitted codes within distance r, over all slots, by distance then id. */
  radius(query: Uint32Array, r: number, filter: AllowedFilter): Promise<Neighbor[]> {
    return this.store.holdingRegions(() => this.radiusParts(query, r, filter))
  }

  /** Radius scan of slots [from, to) on this thread, appending keys. */
  radiusInline(query: Uint32Array, r: number, filter: AllowedFilter, from: number, to: number, keys: number[]): void {
    if (to <= from) return
    const mem = this.store.mem
    const words = this.store.words
    const q = this.writeQuery(query)
    let cap = Math.min(to - from, 4096)
    let ids = mem.alloc(cap * 4)
    let dist = mem.alloc(cap)
    try {
      const { prefix, rest } = this.store.regions
      let n = mem.kernels.radiusScan(prefix, rest, words, filter.block, from, to, q, r, ids, dist, cap)
      if (n > cap) {
        mem.free(ids)
        mem.free(dist)
        cap = n
        ids = mem.alloc(cap * 4)
        dist = mem.alloc(cap)
        n = mem.kernels.radiusScan(prefix, rest, words, filter.block, from, to, q, r, ids, dist, cap)
      }
      const i32 = mem.i32
      const u8 = mem.u8
      for (let j = 0; j < n; j++) keys.push(neighborKey(u8[dist + j]!, i32[(ids >>> 2) + j]!))
    } finally {
      mem.free(q)
      mem.free(ids)
      mem.free(dist)
    }
  }

  /** k-NN scan of slots [from, to) on this thread, appending keys. */
  knnInline(query: Uint32Array, k: number, tau: number, filter: AllowedFilter, from: number, to: number, keys: number[]): void {
    if (to <= from) return
    const mem = this.store.mem
    const q = this.writeQuery(query)
    const heap = mem.alloc(k * 8)
    try {
      const { prefix, rest } = this.store.regions
      const n = mem.kernels.knnScan(prefix, rest, this.store.words, filter.block, from, to, q, k, tau, heap)
      const u32 = mem.u32
      for (let j = 0; j < n; j++) keys.push(neighborKey(u32[(heap >>> 2) + 2 * j + 1]!, (u32[(heap >>> 2) + 2 * j]! ^ 0x80000000) | 0))
    } finally {
      mem.free(q)
      mem.free(heap)
    }
  }

  /** Stops the workers; later scans run inline. */
  close(): void {
    this.closed = true
    this.pool?.close()
    this.pool = null
  }

  private partCount(): number {
    return this.pool?.usable && this.store.count >= this.workerThreshold ? this.pool.size : 1
  }

  /** Slot ranges scanned in parallel: one per worker for large stores, else one inline. */
  private parts(): [number, number][] {
    const count = this.store.count
    const workers = this.partCount()
    const parts: [number, number][] = []
    for (let p = 0; p < workers; p++) parts.push([Math.floor((count * p) / workers), Math.floor((count * (p + 1)) / workers)])
    return parts
  }

  /** Folds a full scan's measured time into nsPerCode (at most 3× the estimate: the first may include worker start-up). */
  private measured(ms: number): void {
    const count = this.store.count
    if (count < 1024) return
    const ns = (Math.min(ms, 3 * this.expectedMs()) * 1e6) / count
    this.nsPerCode = this.nsPerCode > 0 ? 0.8 * this.nsPerCode + 0.2 * ns : ns
  }

  private writeQuery(query: Uint32Array): number {
    const ptr = this.store.mem.alloc(this.store.words * 4)
    this.store.mem.u32.set(query, ptr >>> 2)
    return ptr
  }

  /** Runs one kernel call per part, on the workers (in parallel) or inline. */
  private async runParts(kernel: Kernel, argsOf: (part: number) => number[], parts: number): Promise<number[]> {
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

  private callKernel(kernel: Kernel, args: number[]): number {
    const k = this.store.mem.kernels
    return kernel === 'knnScan'
      ? k.knnScan(args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!, args[6]!, args[7]!, args[8]!, args[9]!)
      : k.radiusScan(args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!, args[6]!, args[7]!, args[8]!, args[9]!, args[10]!)
  }

  private async knnParts(query: Uint32Array, k: number, tau: number, filter: AllowedFilter): Promise<Neighbor[]> {
    const started = performance.now()
    const mem = this.store.mem
    const words = this.store.words
    const parts = this.parts()
    const q = this.writeQuery(query)
    // A part contributes at most its own size: heaps sized so, as wasm memory never shrinks.
    const ks = parts.map(([from, to]) => Math.max(1, Math.min(k, to - from)))
    const heaps = ks.map((n) => mem.alloc(n * 8))
    const { prefix, rest } = this.store.regions
    try {
      const counts = await this.runParts(
        'knnScan',
        (p) => [prefix, rest, words, filter.block, parts[p]![0], parts[p]![1], q, ks[p]!, tau, heaps[p]!],
        parts.length,
      )
      if (filter.allowsAll) this.measured(performance.now() - started)
      const top = new TopK(k)
      const u32 = mem.u32
      counts.forEach((count, p) => {
        const h = heaps[p]! >>> 2
        for (let j = 0; j < count; j++) top.push(u32[h + 2 * j + 1]!, (u32[h + 2 * j]! ^ 0x80000000) | 0)
      })
      return top.sorted()
    } finally {
      mem.free(q)
      for (const h of heaps) mem.free(h)
    }
  }

  private async radiusParts(query: Uint32Array, r: number, filter: AllowedFilter): Promise<Neighbor[]> {
    const mem = this.store.mem
    const words = this.store.words
    const parts = this.parts()
    const q = this.writeQuery(query)
    const { prefix, rest } = this.store.regions
    const caps = parts.map(([from, to]) => Math.min(to - from, 16384))
    let outs = caps.map((cap) => [mem.alloc(cap * 4), mem.alloc(cap)] as [number, number])
    try {
      const args = (p: number): number[] => [prefix, rest, words, filter.block, parts[p]![0], parts[p]![1], q, r, outs[p]![0], outs[p]![1], caps[p]!]
      let counts = await this.runParts('radiusScan', args, parts.length)
      if (counts.some((c, p) => c > caps[p]!)) {
        // More matches than room: scan again with room for all of them.
        for (const [ids, dist] of outs) {
          mem.free(ids)
          mem.free(dist)
        }
        counts.forEach((c, p) => (caps[p] = Math.max(c, 1)))
        outs = caps.map((cap) => [mem.alloc(cap * 4), mem.alloc(cap)] as [number, number])
        counts = await this.runParts('radiusScan', args, parts.length)
      }
      const keys: number[] = []
      const i32 = mem.i32
      const u8 = mem.u8
      counts.forEach((count, p) => {
        const [ids, dist] = outs[p]!
        for (let j = 0; j < count; j++) keys.push(neighborKey(u8[dist + j]!, i32[(ids >>> 2) + j]!))
      })
      return sortKeys(keys)
    } finally {
      mem.free(q)
      for (const [ids, dist] of outs) {
        mem.free(ids)
        mem.free(dist)
      }
    }
  }
}
