import { HAMMING_WASM, HAMMING_WASM_SHARED } from './wasm/hamming.generated'

/** The scan kernels' exports (see wasm/hamming.as.ts for what each argument means). */
export interface HammingKernels {
  heapBase(): number
  knnScan(prefix: number, rest: number, words: number, filter: number, from: number, to: number, query: number, k: number, tau0: number, heap: number): number
  radiusScan(prefix: number, rest: number, words: number, filter: number, from: number, to: number, query: number, r: number, outIds: number, outDist: number, cap: number): number
}

/** A WebAssembly.Memory (typed here: the node project's libs do not declare the WebAssembly global). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer
  grow(pages: number): number
}

/** A compiled WebAssembly.Module (opaque; structured-cloneable to workers). */
export type WasmModule = object

interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory
  Module: new (bytes: Uint8Array) => WasmModule
  Instance: new (module: WasmModule, imports: object) => { exports: unknown }
}

/** The global WebAssembly object of Node, Electron and browsers. */
export const WASM = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

/** Pages of 64 KiB the kernels' memory may grow to: 4 GiB, the wasm32 limit. */
export const MAX_PAGES = 65536

const modules = new Map<boolean, WasmModule>()

/** The compiled kernels for a shared or an unshared memory (compiled once, synchronously: a few KB). */
export function kernelModule(shared: boolean): WasmModule {
  let module = modules.get(shared)
  if (!module) {
    module = new WASM.Module(decodeBase64(shared ? HAMMING_WASM_SHARED : HAMMING_WASM))
    modules.set(shared, module)
  }
  return module
}

/** Instantiates the kernels on a memory (synchronous; works in Node, Electron and browsers). */
export function instantiateKernels(module: WasmModule, memory: WasmMemory): HammingKernels {
  return new WASM.Instance(module, { env: { memory } }).exports as HammingKernels
}

function decodeBase64(text: string): Uint8Array {
  const raw = atob(text)
  const bytes = new Uint8Array(raw.length)
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i)
  return bytes
}
