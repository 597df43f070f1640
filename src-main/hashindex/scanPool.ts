import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { WasmMemory, WasmModule } from './kernels'

/**
 * The scan worker's program, plain JavaScript run with `new Worker(source, { eval: true })`: it instantiates
 * the kernels on the index's shared memory and runs one kernel call per message. Being a string, it needs no
 * entry file: it runs unchanged under tsx, vitest and the electron-vite bundle. It is a constant, never
 * built from input, so evaluating it is as safe as loading a file.
 */
export const SCAN_WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
let kernels = null
parentPort.on('message', (message) => {
  if (message.type === 'init') {
    kernels = new WebAssembly.Instance(message.module, { env: { memory: message.memory } }).exports
    return
  }
  try {
    parentPort.postMessage({ id: message.id, result: kernels[message.kernel](...message.args) })
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: String((error && error.message) || error) })
  }
})
`

/** What the pool needs of a worker (a node:worker_threads Worker has it). */
export interface ScanWorker {
  postMessage(message: unknown): void
  on(event: 'message', listener: (message: unknown) => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  on(event: 'exit', listener: (code: number) => void): unknown
  terminate(): unknown
  ref?(): void
  unref?(): void
}

/** Creates a worker running SCAN_WORKER_SOURCE. */
export type ScanWorkerFactory = () => ScanWorker

/** The default: an eval'd node:worker_threads Worker. */
export const defaultScanWorker: ScanWorkerFactory = () => new Worker(SCAN_WORKER_SOURCE, { eval: true })

/** Workers to use by default: one per core, at most 4 (a scan is memory-bound beyond that). */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, availableParallelism()))
}

interface Pending {
  resolve(result: number): void
  reject(error: Error): void
}

interface ScanReply {
  id: number
  result?: number
  error?: string
}

/**
 * Worker threads that run scan kernels on an index's shared memory, one call per job. Idle workers are
 * unref'd (they never keep a process alive); busy ones are ref'd until their job answers.
 */
export class ScanPool {
  private readonly workers: ScanWorker[] = []
  private readonly pending = new Map<number, Pending>()
  private readonly busy: number[]
  private nextId = 1
  private failure: Error | null = null

  constructor(size: number, factory: ScanWorkerFactory, module: WasmModule, memory: WasmMemory) {
    this.busy = new Array<number>(size).fill(0)
    for (let w = 0; w < size; w++) {
      const worker = factory()
      worker.on('message', (message) => this.answer(message as ScanReply))
      worker.on('error', (error) => this.fail(new Error(`a hash index scan worker failed: ${error.message}`)))
      worker.on('exit', (code) => this.fail(new Error(`a hash index scan worker exited (code ${code})`)))
      worker.unref?.()
      worker.postMessage({ type: 'init', module, memory })
      this.workers.push(worker)
    }
  }

  /** Number of workers. */
  get size(): number {
    return this.workers.length
  }

  /** False once a worker failed or the pool was closed: scan inline instead. */
  get usable(): boolean {
    return this.failure === null
  }

  /** Runs one kernel call on worker `w`; resolves with its return value. */
  run(w: number, kernel: 'knnScan' | 'radiusScan', args: number[]): Promise<number> {
    if (this.failure) return Promise.reject(this.failure)
    const worker = this.workers[w]!
    const id = this.nextId++
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      if (this.busy[w]!++ === 0) worker.ref?.()
      worker.postMessage({ id, kernel, args })
    }).finally(() => {
      if (--this.busy[w]! === 0 && this.failure === null) worker.unref?.()
    })
  }

  /** Terminates the workers; pending jobs fail. */
  close(): void {
    this.fail(new Error('the hash index is closed'))
    for (const worker of this.workers) void worker.terminate()
  }

  private answer(reply: ScanReply): void {
    const job = this.pending.get(reply.id)
    if (!job) return
    this.pending.delete(reply.id)
    if (reply.error !== undefined) job.reject(new Error(`a hash index scan failed: ${reply.error}`))
    else job.resolve(reply.result ?? 0)
  }

  private fail(error: Error): void {
    if (this.failure) return
    this.failure = error
    for (const job of this.pending.values()) job.reject(error)
    this.pending.clear()
  }
}
