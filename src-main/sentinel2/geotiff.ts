import { fromArrayBuffer } from 'geotiff'
import type { GeoTIFFImage, TypedArray } from 'geotiff'
import { readFile, stat } from 'node:fs/promises'
import { readdirSync, statSync } from 'node:fs'
import type { Dirent } from 'node:fs'
import { basename, join } from 'node:path'
import { errorMessage } from '../common/errors'
import type { UtmBox } from '../geo/utm'
import { PATCH_SIZE_M, footprintOf } from '../geo/utm'
import type { BandName } from './bands'
import { BAND_RESOLUTION_M, BIGEARTHNET_BANDS, EUROSAT_BANDS, S2_L1C_BANDS } from './bands'
import type { BandRaster, PatchImage } from './patchImage'

/** Where a GeoTIFF lies: its box in a WGS 84 / UTM grid and its pixel size. */
export interface GeoReference {
  utm: UtmBox
  /** Pixel width and height on the ground, metres (positive). */
  pixelWidth: number
  pixelHeight: number
}

/** A band file of a patch folder, validated; pixels not read. */
export interface BandFileInfo {
  path: string
  band: BandName
  width: number
  height: number
  georef: GeoReference
}

/** A validated BigEarthNet patch folder: all 12 band files, right sizes, one georeference. */
export interface PatchFolder {
  path: string
  /** The patch name: the folder's name, which prefixes every band file. */
  name: string
  bandFiles: ReadonlyMap<BandName, string>
  utm: UtmBox
}

/** A band file of a patch: `<patch>_B02.tif`, `<patch>_B8A.tif`, … */
const BAND_FILE = /^(.+)_(B(?:0[1-9]|1[0-2]|8A))\.tiff?$/
/** Bands of one patch must share their box; real files agree exactly, so 1 cm is only float noise. */
const GEOREF_TOLERANCE_M = 0.01
/** A user's example is a patch, not a scene: bigger rasters are refused before decoding. */
const MAX_EXAMPLE_SIDE_PX = 4096

/** An opened TIFF's first image, with the file name used in errors. */
interface OpenedTiff {
  file: string
  image: GeoTIFFImage
}

function isUtmEpsg(epsg: number): boolean {
  const zone = epsg % 100
  return (Math.floor(epsg / 100) === 326 || Math.floor(epsg / 100) === 327) && zone >= 1 && zone <= 60
}

/** Readable sample type, e.g. "UInt16", "Float32". */
function sampleType(image: GeoTIFFImage): string {
  const kind = ({ 1: 'UInt', 2: 'Int', 3: 'Float' } as Record<number, string>)[image.getSampleFormat()] ?? 'Unknown'
  return `${kind}${image.getBitsPerSample()}`
}

/** The TIFF signature check: a text file renamed .tif should say so, not fail somewhere in the decoder. */
function checkSignature(bytes: Uint8Array, file: string): void {
  if (bytes.length === 0) throw new Error(`${file} is not a TIFF file (it is empty)`)
  const b = bytes
  const le = b[0] === 0x49 && b[1] === 0x49 && (b[2] === 42 || b[2] === 43) && b[3] === 0
  const be = b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && (b[3] === 42 || b[3] === 43)
  if (!le && !be) {
    const head = Array.from(b.subarray(0, 8), (c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.')).join('')
    throw new Error(`${file} is not a TIFF file (it starts with "${head}"; a TIFF starts with "II*." or "MM.*")`)
  }
}

/** Reads a whole TIFF file and opens its first image; errors name the file. */
async function openTiff(path: string, maxBytes = Infinity): Promise<OpenedTiff> {
  const file = basename(path)
  let bytes: Buffer
  try {
    const st = await stat(path)
    if (!st.isFile()) throw new Error('not a file')
    if (st.size > maxBytes) throw new Error(`${st.size} bytes; at most ${maxBytes}`)
    bytes = await readFile(path)
  } catch (e) {
    throw new Error(`cannot read ${path} (${errorMessage(e)})`)
  }
  checkSignature(bytes, file)
  try {
    // Copy into a fresh ArrayBuffer: a Buffer may be a view into a larger, shared one.
    const tiff = await fromArrayBuffer(new Uint8Array(bytes).buffer)
    return { file, image: await tiff.getImage() }
  } catch (e) {
    throw new Error(`${file} is a damaged TIFF file (${errorMessage(e)})`)
  }
}

/** The UTM box and pixel size a GeoTIFF's tags (ModelTiepoint/ModelPixelScale or ModelTransformation, GeoKeys) give. */
function georeferenceOf({ file, image }: OpenedTiff): GeoReference {
  const fd = image.getFileDirectory()
  const affine = (fd.hasTag('ModelTiepoint') && fd.hasTag('ModelPixelScale')) || fd.hasTag('ModelTransformation')
  if (!affine) {
    throw new Error(`${file} has no georeference (no ModelTiepoint and ModelPixelScale, nor ModelTransformation)`)
  }
  let origin: number[]
  let resolution: number[]
  let bbox: number[]
  try {
    origin = image.getOrigin()
    resolution = image.getResolution()
    bbox = image.getBoundingBox()
  } catch (e) {
    throw new Error(`${file} has no usable georeference (${errorMessage(e)})`)
  }
  const transform = fd.hasTag('ModelTransformation') ? (fd.getValue('ModelTransformation') as number[] | undefined) : undefined
  if (transform && (transform[1] !== 0 || transform[4] !== 0)) {
    throw new Error(`${file} is rotated or sheared; only north-up GeoTIFFs are supported`)
  }
  const tiepoint = fd.hasTag('ModelTiepoint') ? (fd.getValue('ModelTiepoint') as number[] | undefined) : undefined
  if (tiepoint && (tiepoint[0] !== 0 || tiepoint[1] !== 0)) {
    throw new Error(`${file} ties raster point (${tiepoint[0]}, ${tiepoint[1]}), not (0, 0), to the map; not supported`)
  }
  const pixelWidth = Math.abs(resolution[0] ?? NaN)
  const pixelHeight = Math.abs(resolution[1] ?? NaN)
  if (!(pixelWidth > 0 && pixelHeight > 0) || !origin.every(Number.isFinite) || !bbox.every(Number.isFinite)) {
    throw new Error(`${file} has a degenerate georeference (pixel size ${resolution.join(' × ')})`)
  }
  const keys = image.getGeoKeys()
  if (!keys) throw new Error(`${file} has no coordinate reference system (no GeoKeyDirectory tag)`)
  const epsg: unknown = keys.ProjectedCSTypeGeoKey
  if (typeof epsg !== 'number') {
    const geographic = keys.GeographicTypeGeoKey
    throw new Error(
      typeof geographic === 'number' && keys.GTModelTypeGeoKey === 2
        ? `${file} is in geographic coordinates (EPSG:${geographic}), expected a WGS 84 / UTM projection (EPSG:326zz or 327zz)`
        : `${file} names no projected coordinate system (no ProjectedCSTypeGeoKey), expected WGS 84 / UTM (EPSG:326zz or 327zz)`,
    )
  }
  if (!isUtmEpsg(epsg)) {
    throw new Error(`${file} is in ${epsg === 32767 ? 'a user-defined projection' : `EPSG:${epsg}`}, expected WGS 84 / UTM (EPSG:326zz or 327zz)`)
  }
  // PixelIsPoint places the tiepoint at the first pixel's centre; the box starts half a pixel before it.
  const [dx, dy] = keys.GTRasterTypeGeoKey === 2 ? [pixelWidth / 2, pixelHeight / 2] : [0, 0]
  const [west, south, east, north] = bbox as [number, number, number, number]
  return {
    utm: { epsg, west: west - dx, south: south + dy, east: east - dx, north: north + dy },
    pixelWidth,
    pixelHeight,
  }
}

/** "EPSG:32633 (390000, 5347200)–(391200, 5348400)" */
export function describeUtmBox(box: UtmBox): string {
  const r = (v: number): string => String(Math.round(v * 1000) / 1000)
  return `EPSG:${box.epsg} (${r(box.west)}, ${r(box.south)})–(${r(box.east)}, ${r(box.north)})`
}

/** Whether two UTM boxes are the same square, within `tolerance` metres. */
export function sameUtmBox(a: UtmBox, b: UtmBox, tolerance: number): boolean {
  return (
    a.epsg === b.epsg &&
    Math.abs(a.west - b.west) <= tolerance &&
    Math.abs(a.south - b.south) <= tolerance &&
    Math.abs(a.east - b.east) <= tolerance &&
    Math.abs(a.north - b.north) <= tolerance
  )
}

/** Checks one opened band file against what BigEarthNet ships: one UInt16 band, its size and pixel size, a UTM georeference. */
function checkBand(tiff: OpenedTiff, band: BandName, path: string): BandFileInfo {
  const { file, image } = tiff
  const samples = image.getSamplesPerPixel()
  if (samples !== 1) throw new Error(`${file} has ${samples} bands, expected 1 (${band})`)
  if (sampleType(image) !== 'UInt16') throw new Error(`${file} holds ${sampleType(image)} pixels, expected UInt16`)
  const res = BAND_RESOLUTION_M[band]
  const side = PATCH_SIZE_M / res
  const width = image.getWidth()
  const height = image.getHeight()
  if (width !== side || height !== side) {
    throw new Error(`${file} is ${width}×${height}, expected ${side}×${side} (${res} m band)`)
  }
  const georef = georeferenceOf(tiff)
  if (Math.abs(georef.pixelWidth - res) > 1e-6 || Math.abs(georef.pixelHeight - res) > 1e-6) {
    throw new Error(`${file} has ${georef.pixelWidth}×${georef.pixelHeight} m pixels, expected ${res} m (${band} is a ${res} m band)`)
  }
  return { path, band, width, height, georef }
}

/** Opens and validates one band file of a BigEarthNet patch (header only); the error names the file and the problem. */
export async function readBandFile(path: string, band: BandName): Promise<BandFileInfo> {
  return checkBand(await openTiff(path), band, path)
}

/** The band files of a patch folder, by band; every problem names the folder or the file. */
function listBandFiles(folder: string): { name: string; files: Map<BandName, string> } {
  const name = basename(folder)
  let entries: Dirent[]
  try {
    entries = readdirSync(folder, { withFileTypes: true })
  } catch (e) {
    throw new Error(`cannot read patch folder ${folder} (${errorMessage(e)})`)
  }
  const files = new Map<BandName, string>()
  for (const e of entries) {
    const m = BAND_FILE.exec(e.name)
    if (!m || e.isDirectory()) continue
    const band = m[2] as BandName
    if (m[1] !== name) {
      throw new Error(`patch folder ${folder} holds ${e.name}, a band file of another patch (expected ${name}_${band}.tif)`)
    }
    // B10 is not part of BigEarthNet; a folder that has it anyway is still a patch.
    if (!BIGEARTHNET_BANDS.includes(band)) continue
    const other = files.get(band)
    if (other) throw new Error(`patch folder ${folder} has two ${band} files: ${basename(other)} and ${e.name}`)
    files.set(band, join(folder, e.name))
  }
  const missing = BIGEARTHNET_BANDS.filter((b) => !files.has(b))
  if (missing.length === BIGEARTHNET_BANDS.length) {
    throw new Error(`patch folder ${folder} has no band files (expected ${name}_B01.tif … ${name}_B12.tif)`)
  }
  if (missing.length > 0) throw new Error(`patch folder ${folder} lacks ${missing.join(', ')}`)
  return { name, files }
}

/** Checks that every band of a patch has the same UTM box as the first. */
function checkSameGeoreference(infos: BandFileInfo[]): UtmBox {
  const ref = infos[0]!
  for (const info of infos) {
    if (!sameUtmBox(info.georef.utm, ref.georef.utm, GEOREF_TOLERANCE_M)) {
      throw new Error(
        `${basename(info.path)} covers ${describeUtmBox(info.georef.utm)}, but ${basename(ref.path)} covers ` +
          `${describeUtmBox(ref.georef.utm)}: the bands of one patch disagree on their georeference`,
      )
    }
  }
  return ref.georef.utm
}

/**
 * Validates a BigEarthNet patch folder (`<patch>/<patch>_B??.tif`, v1 or v2) without decoding pixels:
 * all 12 bands, UInt16, 120/60/20 px for 10/20/60 m bands, one UTM georeference shared by all bands.
 */
export async function inspectPatchFolder(folder: string): Promise<PatchFolder> {
  const { name, files } = listBandFiles(folder)
  // Read the 12 files concurrently (3× faster in a bulk import); report the first bad band in band order.
  const settled = await Promise.allSettled(BIGEARTHNET_BANDS.map((band) => readBandFile(files.get(band)!, band)))
  const infos = settled.map((r) => {
    if (r.status === 'rejected') throw r.reason
    return r.value
  })
  return { path: folder, name, bandFiles: files, utm: checkSameGeoreference(infos) }
}

/** A band name a GDAL band description stands for: "B8A", "B02", "B2", "b02 (blue)" … or null. */
function bandOfDescription(description: unknown): BandName | null {
  if (typeof description !== 'string') return null
  const m = /^\s*B0?(8A|1[0-2]|[1-9])(?![0-9A-Z])/i.exec(description)
  if (!m) return null
  const id = m[1]!.toUpperCase()
  return (id === '8A' ? 'B8A' : `B${id.padStart(2, '0')}`) as BandName
}

/** Band names of a multi-band file: from its band descriptions when they name distinct bands, else by count. */
async function multibandNames({ file, image }: OpenedTiff): Promise<BandName[]> {
  const count = image.getSamplesPerPixel()
  const described: (BandName | null)[] = []
  for (let i = 0; i < count; i++) {
    let meta: Record<string, unknown> | null
    try {
      meta = await image.getGDALMetadata(i)
    } catch {
      meta = null // unreadable GDAL metadata: fall back to the band count
    }
    described.push(bandOfDescription(meta?.DESCRIPTION))
  }
  if (described.every((b) => b !== null) && new Set(described).size === count) return described as BandName[]
  if (count === EUROSAT_BANDS.length) return [...EUROSAT_BANDS]
  if (count === BIGEARTHNET_BANDS.length) return [...BIGEARTHNET_BANDS]
  const hint = BAND_FILE.test(file) ? '; for one band of a BigEarthNet patch, give its patch folder' : ''
  throw new Error(
    `${file} has ${count} band${count === 1 ? '' : 's'}; expected 13 (EuroSAT order B01…B12 then B8A), ` +
      `12 (BigEarthNet order B01…B08, B8A, B09, B11, B12) or band descriptions naming Sentinel-2 bands${hint}`,
  )
}

async function readFolderImage(folder: string): Promise<PatchImage> {
  const { name, files } = listBandFiles(folder)
  // The 12 files are read concurrently: a patch's reads overlap instead of queueing one after another.
  const settled = await Promise.allSettled(
    BIGEARTHNET_BANDS.map(async (band) => {
      const path = files.get(band)!
      const tiff = await openTiff(path)
      const info = checkBand(tiff, band, path)
      const [data] = await tiff.image.readRasters()
      return { band, info, data: data! }
    }),
  )
  // The first bad band in band order, whichever read failed first: the same message every time.
  const failed = settled.find((r) => r.status === 'rejected')
  if (failed) throw failed.reason
  const read = settled.map((r) => (r as PromiseFulfilledResult<{ band: BandName; info: BandFileInfo; data: TypedArray }>).value)
  const bands = new Map<BandName, BandRaster>()
  for (const { band, info, data } of read) {
    bands.set(band, { width: info.width, height: info.height, data, resolution: info.georef.pixelWidth })
  }
  const utm = checkSameGeoreference(read.map((r) => r.info))
  return { kind: 'bigearthnet-folder', path: folder, name, bandNames: [...BIGEARTHNET_BANDS], bands, utm, footprint: footprintOf(utm) }
}

async function readMultibandImage(path: string): Promise<PatchImage> {
  // Generous for a patch: a 4096² × 13-band UInt16 file is about 440 MB.
  const tiff = await openTiff(path, 512 * 1024 * 1024)
  const { file, image } = tiff
  const width = image.getWidth()
  const height = image.getHeight()
  if (width > MAX_EXAMPLE_SIDE_PX || height > MAX_EXAMPLE_SIDE_PX) {
    throw new Error(`${file} is ${width}×${height} px; an example patch may be at most ${MAX_EXAMPLE_SIDE_PX}×${MAX_EXAMPLE_SIDE_PX} (crop it first)`)
  }
  const names = await multibandNames(tiff)
  const georef = georeferenceOf(tiff)
  let rasters: TypedArray[]
  try {
    rasters = await image.readRasters()
  } catch (e) {
    throw new Error(`${file}: cannot decode its pixels (${errorMessage(e)})`)
  }
  const bands = new Map<BandName, BandRaster>()
  const order = [...names].sort((a, b) => S2_L1C_BANDS.indexOf(a) - S2_L1C_BANDS.indexOf(b))
  for (const band of order) {
    const data = rasters[names.indexOf(band)]!
    bands.set(band, { width, height, data, resolution: georef.pixelWidth })
  }
  return {
    kind: 'multiband',
    path,
    name: file.replace(/\.tiff?$/i, ''),
    bandNames: order,
    bands,
    utm: georef.utm,
    footprint: footprintOf(georef.utm),
  }
}

/**
 * Reads a patch image the user gave: a BigEarthNet patch folder (12 band files) or one multi-band
 * GeoTIFF (bands its GDAL band descriptions name; else 13 in EuroSAT order, 12 in BigEarthNet order).
 * Validates and decodes every band; errors name the file and the problem.
 */
export async function readPatchImage(path: string): Promise<PatchImage> {
  let st
  try {
    st = statSync(path)
  } catch (e) {
    throw new Error(`cannot read ${path} (${errorMessage(e)})`)
  }
  return st.isDirectory() ? readFolderImage(path) : readMultibandImage(path)
}
