import type { BandName } from '../sentinel2/bands'
import type { PatchImage } from '../sentinel2/patchImage'

/** How a band is brought onto the model's grid: area averaging when shrinking, bilinear or nearest when growing. */
export interface Resampling {
  down: 'area'
  up: 'bilinear' | 'nearest'
}

/** Transform applied to raw pixel values (UInt16 reflectance × 10000) before standardisation. */
export type ValueTransform = 'log1p' | 'none'

/** What a model takes, as its card declares it: the one definition preprocessing follows. */
export interface InputSpec {
  /** Bands, in the order of the input tensor's channels. */
  bands: readonly BandName[]
  /** Side of the square grid every band is resampled to, pixels. */
  size: number
  resampling: Resampling
  transform: ValueTransform
  /** Per-band mean and standard deviation of the transformed values (same order as `bands`). */
  mean: readonly number[]
  std: readonly number[]
}

/** For each output pixel along one axis: the first source pixel and the weights of the source pixels from there. */
interface AxisWeights {
  start: Int32Array
  count: Int32Array
  weights: Float64Array
  /** Offset of output pixel o's weights in `weights` is o * stride. */
  stride: number
}

const axisCache = new Map<string, AxisWeights>()

/**
 * Weights that map `n` source pixels onto `m` output pixels spanning the same extent.
 * Shrinking averages the covered area exactly (fractional coverage at the edges); growing interpolates
 * between pixel centres (half-pixel convention, edge pixels clamped), or takes the nearest pixel.
 */
function axisWeights(n: number, m: number, resampling: Resampling): AxisWeights {
  const key = `${n}:${m}:${resampling.up}`
  const cached = axisCache.get(key)
  if (cached) return cached
  let result: AxisWeights
  if (n > m) {
    const scale = n / m
    const stride = Math.ceil(scale) + 1
    const start = new Int32Array(m)
    const count = new Int32Array(m)
    const weights = new Float64Array(m * stride)
    for (let o = 0; o < m; o++) {
      const lo = o * scale
      const hi = (o + 1) * scale
      const first = Math.floor(lo)
      const last = Math.min(n - 1, Math.ceil(hi) - 1)
      start[o] = first
      count[o] = last - first + 1
      for (let i = first; i <= last; i++) {
        const overlap = Math.min(hi, i + 1) - Math.max(lo, i)
        weights[o * stride + (i - first)] = overlap / scale
      }
    }
    result = { start, count, weights, stride }
  } else if (resampling.up === 'nearest' || n === m) {
    const start = new Int32Array(m)
    const count = new Int32Array(m).fill(1)
    const weights = new Float64Array(m).fill(1)
    for (let o = 0; o < m; o++) start[o] = Math.min(n - 1, Math.floor(((o + 0.5) * n) / m))
    result = { start, count, weights, stride: 1 }
  } else {
    const start = new Int32Array(m)
    const count = new Int32Array(m)
    const weights = new Float64Array(m * 2)
    for (let o = 0; o < m; o++) {
      const x = Math.min(n - 1, Math.max(0, ((o + 0.5) * n) / m - 0.5))
      const i0 = Math.floor(x)
      const f = x - i0
      start[o] = i0
      if (i0 + 1 < n && f > 0) {
        count[o] = 2
        weights[o * 2] = 1 - f
        weights[o * 2 + 1] = f
      } else {
        count[o] = 1
        weights[o * 2] = 1
      }
    }
    result = { start, count, weights, stride: 2 }
  }
  axisCache.set(key, result)
  return result
}

/**
 * Resamples one row-major band of `width`×`height` pixels onto `outWidth`×`outHeight` pixels covering
 * the same extent, per axis (area average down, bilinear or nearest up). Writes into `out` at `offset`.
 */
export function resampleBand(
  src: ArrayLike<number>,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  resampling: Resampling,
  out: Float32Array = new Float32Array(outWidth * outHeight),
  offset = 0,
): Float32Array {
  if (width === outWidth && height === outHeight) {
    for (let i = 0; i < width * height; i++) out[offset + i] = src[i]!
    return out
  }
  const fx = width / outWidth
  const fy = height / outHeight
  if (Number.isInteger(fx) && Number.isInteger(fy) && fx > 1 && fy > 1) {
    // Whole blocks (10 m → 20 m is 2×2): the same area average, without per-pixel weights.
    const inv = 1 / (fx * fy)
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        let acc = 0
        for (let y = oy * fy; y < (oy + 1) * fy; y++) {
          const row = y * width + ox * fx
          for (let x = 0; x < fx; x++) acc += src[row + x]!
        }
        out[offset + oy * outWidth + ox] = acc * inv
      }
    }
    return out
  }
  const wx = axisWeights(width, outWidth, resampling)
  const wy = axisWeights(height, outHeight, resampling)
  // Rows first (height × outWidth), in float64 so a 2×2 average of UInt16 values is exact.
  const tmp = new Float64Array(height * outWidth)
  for (let y = 0; y < height; y++) {
    const row = y * width
    for (let o = 0; o < outWidth; o++) {
      const s = wx.start[o]!
      const c = wx.count[o]!
      const base = o * wx.stride
      let acc = 0
      for (let k = 0; k < c; k++) acc += wx.weights[base + k]! * src[row + s + k]!
      tmp[y * outWidth + o] = acc
    }
  }
  for (let o = 0; o < outHeight; o++) {
    const s = wy.start[o]!
    const c = wy.count[o]!
    const base = o * wy.stride
    const dst = offset + o * outWidth
    for (let x = 0; x < outWidth; x++) {
      let acc = 0
      for (let k = 0; k < c; k++) acc += wy.weights[base + k]! * tmp[(s + k) * outWidth + x]!
      out[dst + x] = acc
    }
  }
  return out
}

/** Number of float32 values one image takes in the input tensor: bands × size × size. */
export function tensorLength(spec: InputSpec): number {
  return spec.bands.length * spec.size * spec.size
}

/**
 * First stage: every band of the spec, in its order, resampled to the grid and transformed (log1p),
 * not yet standardised. Writes bands × size × size values into `out` at `offset`.
 * The image must hold every band of the spec (validate.ts checks that with a readable error first).
 */
export function resampleAndTransform(image: PatchImage, spec: InputSpec, out?: Float32Array, offset = 0): Float32Array {
  const plane = spec.size * spec.size
  const target = out ?? new Float32Array(tensorLength(spec))
  spec.bands.forEach((band, b) => {
    const raster = image.bands.get(band)
    if (!raster) throw new Error(`${image.name} has no band ${band}`)
    const at = offset + b * plane
    resampleBand(raster.data, raster.width, raster.height, spec.size, spec.size, spec.resampling, target, at)
    if (spec.transform === 'log1p') {
      for (let i = at; i < at + plane; i++) target[i] = Math.log1p(target[i]!)
    }
  })
  return target
}

/** Second stage: (value − mean) / std per band, in place, for `count` consecutive images starting at `offset`. */
export function standardise(tensor: Float32Array, spec: InputSpec, offset = 0, count = 1): Float32Array {
  const plane = spec.size * spec.size
  for (let n = 0; n < count; n++) {
    for (let b = 0; b < spec.bands.length; b++) {
      const mean = spec.mean[b]!
      const inv = 1 / spec.std[b]!
      const at = offset + (n * spec.bands.length + b) * plane
      for (let i = at; i < at + plane; i++) tensor[i] = (tensor[i]! - mean) * inv
    }
  }
  return tensor
}

/** The model's input for one image: bands in card order, resampled, transformed and standardised. */
export function preprocess(image: PatchImage, spec: InputSpec, out?: Float32Array, offset = 0): Float32Array {
  const t = resampleAndTransform(image, spec, out, offset)
  return standardise(t, spec, offset, 1)
}
