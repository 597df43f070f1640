import { readdirSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { BandRaster, PatchImage } from '../sentinel2/patchImage'
import { readPatchImage } from '../sentinel2/geotiff'
import type { ModelCard } from './card'

/** A query example is a patch, not a scene: bigger files are refused before they are read. */
export const MAX_EXAMPLE_BYTES = 200 * 1024 * 1024
/** The finest band of an example must have at least this many pixels per side. */
export const MIN_EXAMPLE_SIDE_PX = 16
/** Width and height (on the ground) may differ by this factor at most: the model takes square patches. */
const MAX_ASPECT = 1.1

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/**
 * Refuses a file (or a patch folder's band file) over `maxBytes` from its size alone, before anything is
 * read; the error names the file and its size.
 */
export function checkExampleSize(path: string, maxBytes = MAX_EXAMPLE_BYTES): void {
  let st
  try {
    st = statSync(path)
  } catch (e) {
    throw new Error(`cannot read ${path} (${message(e)})`)
  }
  const files = st.isDirectory()
    ? readdirSync(path)
        .filter((f) => /\.tiff?$/i.test(f))
        .map((f) => ({ name: f, size: statSync(join(path, f)).size }))
    : [{ name: basename(path), size: st.size }]
  for (const f of files) {
    if (f.size > maxBytes) {
      throw new Error(`${f.name} is ${megabytes(f.size)}; an example patch may be at most ${megabytes(maxBytes)} (crop it to the area of interest)`)
    }
  }
}

/** "Float32", "UInt16", … from a band's typed array. */
function pixelType(data: BandRaster['data']): string {
  const name = data.constructor.name.replace(/Array$/, '')
  return name.replace(/^Uint/, 'UInt').replace(/^Int/, 'Int')
}

/**
 * Checks a decoded image against what a model needs, before preprocessing: the bands the card lists,
 * their pixel type, a usable size and shape, and no band that is all zero or holds NaN. The error names
 * the image, the band and the problem. Checks readPatchImage already makes (file format, band files,
 * georeference, band count of a multi-band file) are not repeated.
 */
export function validatePatchImage(image: PatchImage, card: ModelCard): void {
  const name = image.kind === 'multiband' ? basename(image.path) : image.name
  const missing = card.input.bands.filter((b) => !image.bands.has(b))
  if (missing.length > 0) {
    throw new Error(
      `${name} has no ${missing.join(', ')} band${missing.length > 1 ? 's' : ''}; model ${card.id} needs ` +
        `${card.input.bands.join(', ')} (it has ${image.bandNames.join(', ') || 'none'})`,
    )
  }
  let finest = 0
  let extent: { w: number; h: number } | null = null
  for (const band of card.input.bands) {
    const r = image.bands.get(band)!
    if (r.width < 1 || r.height < 1 || r.data.length !== r.width * r.height) {
      throw new Error(`${name}: band ${band} holds ${r.data.length} pixels for ${r.width}×${r.height}`)
    }
    finest = Math.max(finest, r.width, r.height)
    extent ??= { w: r.width * r.resolution, h: r.height * r.resolution }
  }
  if (finest < MIN_EXAMPLE_SIDE_PX) {
    const r = image.bands.get(card.input.bands[0]!)!
    throw new Error(`${name} is ${r.width}×${r.height} px; an example patch needs at least ${MIN_EXAMPLE_SIDE_PX}×${MIN_EXAMPLE_SIDE_PX} px`)
  }
  if (extent && Math.max(extent.w / extent.h, extent.h / extent.w) > MAX_ASPECT) {
    throw new Error(
      `${name} covers ${Math.round(extent.w)} m × ${Math.round(extent.h)} m; model ${card.id} takes square patches (crop it to a square)`,
    )
  }
  // NaN first: it says more than "Float32" about a file whose no-data pixels are NaN.
  for (const band of card.input.bands) {
    const { data } = image.bands.get(band)!
    if (data instanceof Float32Array || data instanceof Float64Array) {
      for (let i = 0; i < data.length; i++) {
        if (Number.isNaN(data[i])) throw new Error(`${name}: band ${band} holds NaN pixels (no data); the model needs every pixel`)
      }
    }
  }
  const accepted = card.input.pixelTypes as readonly string[]
  for (const band of card.input.bands) {
    const type = pixelType(image.bands.get(band)!.data)
    if (!accepted.includes(type)) {
      throw new Error(
        `${name}: band ${band} holds ${type} pixels; model ${card.id} expects ${accepted.join(' or ')} ` +
          `(surface reflectance × 10000, as Sentinel-2 products store it)`,
      )
    }
  }
  for (const band of card.input.bands) {
    const { data } = image.bands.get(band)!
    let zero = true
    for (let i = 0; i < data.length && zero; i++) if (data[i] !== 0) zero = false
    if (zero) throw new Error(`${name}: band ${band} is all zero (no data); the model needs every band`)
  }
}

/** How far an image's ground extent may differ from the model's patch extent before it is worth saying. */
const EXTENT_TOLERANCE = 0.1

/**
 * What a user should know about how well an accepted example fits the model — not errors, the query still
 * runs: a Level-1C (top-of-atmosphere) image, since only L1C products carry B10 while BigEarthNet and the
 * model's training data are Level-2A surface reflectance; and an extent other than the model's patches,
 * since the whole image is resampled onto the model's grid and so seen at another scale.
 */
export function exampleCaveats(image: PatchImage, card: ModelCard): string[] {
  const caveats: string[] = []
  if (image.bandNames.includes('B10')) {
    caveats.push(
      `${image.name} has band B10 (cirrus), which only Level-1C (top-of-atmosphere) products carry; the model was trained on ` +
        'Level-2A surface reflectance (as BigEarthNet is), so haze and atmosphere shift its code and matches may be off',
    )
  }
  const { size, pixelSizeM } = card.input
  const first = image.bands.get(card.input.bands[0]!)
  if (pixelSizeM !== undefined && first) {
    const patchM = size * pixelSizeM
    const widthM = first.width * first.resolution
    const heightM = first.height * first.resolution
    if (Math.max(Math.abs(widthM / patchM - 1), Math.abs(heightM / patchM - 1)) > EXTENT_TOLERANCE) {
      caveats.push(
        `${image.name} covers ${Math.round(widthM)} m × ${Math.round(heightM)} m, the model's patches ${patchM} m × ${patchM} m; the whole image ` +
          `is resampled onto the model's ${size} × ${size} grid, so the model sees its land cover at another scale`,
      )
    }
  }
  return caveats
}

/**
 * Reads a query example (a BigEarthNet patch folder or one multi-band GeoTIFF) for a model: size check
 * before reading, readPatchImage's format checks, then the model's checks. Errors are readable and
 * leave nothing behind.
 */
export async function readExample(path: string, card: ModelCard, maxBytes = MAX_EXAMPLE_BYTES): Promise<PatchImage> {
  checkExampleSize(path, maxBytes)
  const image = await readPatchImage(path)
  validatePatchImage(image, card)
  return image
}
