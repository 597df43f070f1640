import { MAX_PAGES, WASM, instantiateKernels, kernelModule } from './kernels'
import type { HammingKernels, WasmMemory, WasmModule } from './kernels'

const PAGE = 65536
const ALIGN = 16

/**
 * The WebAssembly memory of one index, the kernels instantiated on it, and a first-fit allocator for the
 * regions the index keeps there (codes, ids, bitmaps, per-search scratch). Wasm memory only grows, so freed
 * regions are reused rather than returned. Shared (a SharedArrayBuffer) where the runtime allows it, so
 * scan workers read the codes in place; unshared otherwise (then there are no workers).
 */
export class KernelMemory {
  readonly memory: WasmMemory
  readonly module: WasmModule
  readonly kernels: HammingKernels
  readonly shared: boolean
  /** Free regions below `top`, sorted by start. */
  private readonly holes: { start: number; size: number }[] = []
  private readonly sizes = new Map<number, number>()
  private top: number
  private buffer: ArrayBuffer | SharedArrayBuffer | null = null
  private u8View: Uint8Array = new Uint8Array(0)
  private u32View: Uint32Array = new Uint32Array(0)
  private i32View: Int32Array = new Int32Array(0)

  /** A memory with room for about `bytes` of regions; shared unless the runtime has no shared memory. */
  constructor(bytes: number, preferShared = true) {
    const initial = Math.min(MAX_PAGES, Math.ceil((bytes + PAGE) / PAGE) + 1)
    let memory: WasmMemory | null = null
    if (preferShared && typeof SharedArrayBuffer !== 'undefined') {
      try {
        memory = new WASM.Memory({ initial, maximum: MAX_PAGES, shared: true })
      } catch {
        memory = null // e.g. a browser page without cross-origin isolation
      }
    }
    this.shared = memory !== null
    this.memory = memory ?? new WASM.Memory({ initial, maximum: MAX_PAGES })
    this.module = kernelModule(this.shared)
    this.kernels = instantiateKernels(this.module, this.memory)
    this.top = align(Math.max(this.kernels.heapBase(), 1024))
  }

  /** Bytes of wasm memory committed (it never shrinks). */
  get byteLength(): number {
    return this.memory.buffer.byteLength
  }

  /** Reserves a 16-byte-aligned region; its contents are undefined. */
  alloc(bytes: number): number {
    const size = align(Math.max(bytes, 1))
    for (let i = 0; i < this.holes.length; i++) {
      const hole = this.holes[i]!
      if (hole.size < size) continue
      const start = hole.start
      if (hole.size === size) this.holes.splice(i, 1)
      else {
        hole.start += size
        hole.size -= size
      }
      this.sizes.set(start, size)
      return start
    }
    const start = this.top
    const end = start + size
    const pages = Math.ceil(end / PAGE) - this.memory.buffer.byteLength / PAGE
    if (pages > 0) {
      if (Math.ceil(end / PAGE) > MAX_PAGES) {
        throw new Error(`the hash index needs ${Math.ceil(end / 2 ** 20)} MiB of WebAssembly memory; the limit is 4096 MiB`)
      }
      this.memory.grow(pages)
    }
    this.top = end
    this.sizes.set(start, size)
    return start
  }

  /** Returns a region to the allocator. */
  free(ptr: number): void {
    const size = this.sizes.get(ptr)
    if (size === undefined) throw new Error(`no region at ${ptr} to free`)
    this.sizes.delete(ptr)
    let i = 0
    while (i < this.holes.length && this.holes[i]!.start < ptr) i++
    this.holes.splice(i, 0, { start: ptr, size })
    // Merge with the next and the previous hole, then give a hole that reaches `top` back to it.
    const next = this.holes[i + 1]
    if (next && ptr + size === next.start) {
      this.holes[i]!.size += next.size
      this.holes.splice(i + 1, 1)
    }
    const prev = this.holes[i - 1]
    if (prev && prev.start + prev.size === ptr) {
      prev.size += this.holes[i]!.size
      this.holes.splice(i, 1)
      i--
    }
    const last = this.holes[this.holes.length - 1]
    if (last && last.start + last.size === this.top) {
      this.top = last.start
      this.holes.pop()
    }
  }

  /** Byte view of the whole memory (refreshed after growth). */
  get u8(): Uint8Array {
    this.refresh()
    return this.u8View
  }

  /** 32-bit word view of the whole memory (refreshed after growth). */
  get u32(): Uint32Array {
    this.refresh()
    return this.u32View
  }

  /** Signed 32-bit view of the whole memory (refreshed after growth). */
  get i32(): Int32Array {
    this.refresh()
    return this.i32View
  }

  private refresh(): void {
    const buffer = this.memory.buffer
    if (buffer === this.buffer) return
    this.buffer = buffer
    this.u8View = new Uint8Array(buffer)
    this.u32View = new Uint32Array(buffer)
    this.i32View = new Int32Array(buffer)
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN
}
