import * as ort from 'onnxruntime-node'
import type { PatchImage } from '../sentinel2/patchImage'
import type { LoadedModel, LoadModelOptions } from './card'
import { loadModel } from './card'
import { preprocess, tensorLength } from './preprocess'
import { validatePatchImage } from './validate'
import { packCodes } from '../hashcode/hashCode'

/** Default number of images per onnxruntime call. */
export const DEFAULT_BATCH_SIZE = 64

/** Turns patch images into hash codes (and float embeddings) with one model; plain Node, no Electron. */
export class Encoder {
  constructor(
    readonly model: LoadedModel,
    readonly batchSize = DEFAULT_BATCH_SIZE,
  ) {}

  /** Opens the model at `path` (folder or .onnx) and wraps it; errors as `loadModel`'s. */
  static async open(path: string, options: LoadModelOptions & { batchSize?: number } = {}): Promise<Encoder> {
    return new Encoder(await loadModel(path, options), options.batchSize)
  }

  /** Code length, bits. */
  get bits(): number {
    return this.model.card.bits
  }

  /** Runs the network on `count` preprocessed images laid out [count, bands, size, size]; returns [count, bits] activations. */
  async run(input: Float32Array, count: number): Promise<Float32Array> {
    return this.runOutput(input, count, this.model.card.output.name, this.bits)
  }

  /**
   * The card's optional features output (the float vectors the hash head reads) for `count` preprocessed
   * images, [count, width]; for evaluation. Throws when the card names no features output.
   */
  async features(input: Float32Array, count: number): Promise<{ values: Float32Array; width: number }> {
    const name = this.model.card.output.features
    if (name === undefined) throw new Error(`model ${this.model.card.id} has no features output (its card's output.features is not set)`)
    const values = await this.runOutput(input, count, name)
    return { values, width: count === 0 ? 0 : values.length / count }
  }

  /** Runs one output batch by batch; `width` values per image when given, else as the first batch gives. */
  private async runOutput(input: Float32Array, count: number, name: string, width?: number): Promise<Float32Array> {
    const { spec, card, session } = this.model
    const per = tensorLength(spec)
    if (input.length !== count * per) throw new Error(`input holds ${input.length} values; ${count} images need ${count * per}`)
    let out = width === undefined ? null : new Float32Array(count * width)
    for (let start = 0; start < count; start += this.batchSize) {
      const n = Math.min(this.batchSize, count - start)
      const slice = input.subarray(start * per, (start + n) * per)
      const tensor = new ort.Tensor('float32', slice, [n, spec.bands.length, spec.size, spec.size])
      const result = await session.run({ [card.input.name]: tensor }, [name])
      const data = result[name]?.data
      width ??= data instanceof Float32Array && data.length % n === 0 ? data.length / n : 0
      out ??= new Float32Array(count * width)
      if (!(data instanceof Float32Array) || width === 0 || data.length !== n * width) {
        throw new Error(`model ${card.id} gave ${data?.length ?? 'no'} values of "${name}" for ${n} images; expected ${n * width}`)
      }
      out.set(data, start * width)
    }
    return out ?? new Float32Array(0)
  }

  /** Validates and preprocesses images into one input tensor; the error names the image and the problem. */
  tensorOf(images: readonly PatchImage[]): Float32Array {
    const per = tensorLength(this.model.spec)
    const input = new Float32Array(images.length * per)
    images.forEach((image, i) => {
      validatePatchImage(image, this.model.card)
      preprocess(image, this.model.spec, input, i * per)
    })
    return input
  }

  /** Float embeddings (tanh activations, `bits` values each), for evaluation and re-ranking. */
  async embed(images: readonly PatchImage[]): Promise<Float32Array[]> {
    const acts = await this.run(this.tensorOf(images), images.length)
    const bits = this.bits
    return images.map((_, i) => acts.slice(i * bits, (i + 1) * bits))
  }

  /** Binary codes, `bits / 8` bytes each. */
  async encode(images: readonly PatchImage[]): Promise<Uint8Array[]> {
    const acts = await this.run(this.tensorOf(images), images.length)
    return packCodes(acts, images.length, this.bits)
  }

  /** Releases the onnxruntime session. */
  async close(): Promise<void> {
    await this.model.session.release()
  }
}
