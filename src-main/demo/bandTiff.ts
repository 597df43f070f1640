/**
 * A minimal GeoTIFF encoder for one BigEarthNet band: classic little-endian TIFF, one uncompressed strip of
 * UInt16 samples, georeferenced in a WGS 84 / UTM zone by ModelTiepoint + ModelPixelScale and GeoKeys
 * (GTModelType projected, GTRasterType PixelIsArea, ProjectedCSType EPSG:326zz/327zz) — the tags the real
 * archive's files carry. geotiff.js's own writer allocates a DataView per pixel (≈ 3 ms per band), which
 * would make an export of 50,000 patches take hours; this one copies the samples in one go.
 */

/** Where and what a band file is. */
export interface BandTiffSpec {
  width: number
  height: number
  /** Pixel size, metres. */
  resolution: number
  /** Upper-left corner in the UTM zone, metres. */
  west: number
  north: number
  epsg: number
  /** Written as ImageDescription. */
  description: string
}

/** Whether this machine stores a Uint16Array little-endian (then samples are copied as they are). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
const SHORT = 3
const LONG = 4
const ASCII = 2
const DOUBLE = 12
const TYPE_SIZE: Record<number, number> = { [SHORT]: 2, [LONG]: 4, [ASCII]: 1, [DOUBLE]: 8 }

interface Entry {
  tag: number
  type: number
  values: readonly number[] | string
}

function ascii(text: string): string {
  // TIFF ASCII is 7-bit, NUL-terminated.
  return `${text.replace(/[^\x20-\x7e]/g, '?')}\0`
}

/** Encodes one UInt16 band as a GeoTIFF file's bytes. */
export function encodeBandTiff(data: Uint16Array, spec: BandTiffSpec): Uint8Array {
  const { width, height, resolution, west, north, epsg } = spec
  if (data.length !== width * height) throw new Error(`a ${width}×${height} band needs ${width * height} samples, not ${data.length}`)
  const zone = epsg % 100
  const projection = `WGS 84 / UTM zone ${zone}${Math.floor(epsg / 100) === 327 ? 'S' : 'N'}|`
  const geoAscii = `${projection}WGS 84|\0`
  const geoKeys = [
    [1, 1, 0, 5],
    [1024, 0, 1, 1], // GTModelTypeGeoKey: projected
    [1025, 0, 1, 1], // GTRasterTypeGeoKey: PixelIsArea
    [1026, 34737, projection.length, 0], // GTCitationGeoKey
    [2049, 34737, 'WGS 84|'.length, projection.length], // GeogCitationGeoKey
    [3072, 0, 1, epsg], // ProjectedCSTypeGeoKey
  ].flat()
  const byteCount = width * height * 2
  const entries: Entry[] = [
    { tag: 256, type: LONG, values: [width] },
    { tag: 257, type: LONG, values: [height] },
    { tag: 258, type: SHORT, values: [16] },
    { tag: 259, type: SHORT, values: [1] }, // no compression, like BigEarthNet's files
    { tag: 262, type: SHORT, values: [1] }, // BlackIsZero
    { tag: 270, type: ASCII, values: ascii(spec.description) },
    { tag: 273, type: LONG, values: [0] }, // StripOffsets, set below
    { tag: 277, type: SHORT, values: [1] },
    { tag: 278, type: LONG, values: [height] },
    { tag: 279, type: LONG, values: [byteCount] },
    { tag: 284, type: SHORT, values: [1] },
    { tag: 339, type: SHORT, values: [1] }, // unsigned integer samples
    { tag: 33550, type: DOUBLE, values: [resolution, resolution, 0] }, // ModelPixelScale
    { tag: 33922, type: DOUBLE, values: [0, 0, 0, west, north, 0] }, // ModelTiepoint
    { tag: 34735, type: SHORT, values: geoKeys }, // GeoKeyDirectory
    { tag: 34737, type: ASCII, values: geoAscii }, // GeoAsciiParams
  ]
  const ifdOffset = 8
  const ifdSize = 2 + entries.length * 12 + 4
  // Values longer than 4 bytes go after the IFD, each at an even offset.
  let extra = ifdOffset + ifdSize
  const placed = entries.map((e) => {
    const size = TYPE_SIZE[e.type]! * e.values.length
    if (size <= 4) return -1
    const at = extra
    extra += size + (size % 2)
    return at
  })
  const dataOffset = extra
  entries[6]!.values = [dataOffset]
  const bytes = new Uint8Array(dataOffset + byteCount)
  const view = new DataView(bytes.buffer)
  bytes[0] = 0x49 // "II": little-endian
  bytes[1] = 0x49
  view.setUint16(2, 42, true)
  view.setUint32(4, ifdOffset, true)
  view.setUint16(ifdOffset, entries.length, true)
  const put = (at: number, type: number, values: readonly number[] | string): void => {
    for (let i = 0; i < values.length; i++) {
      const v = typeof values === 'string' ? values.charCodeAt(i) : values[i]!
      if (type === SHORT) view.setUint16(at + 2 * i, v, true)
      else if (type === LONG) view.setUint32(at + 4 * i, v, true)
      else if (type === DOUBLE) view.setFloat64(at + 8 * i, v, true)
      else bytes[at + i] = v
    }
  }
  entries.forEach((e, i) => {
    const at = ifdOffset + 2 + 12 * i
    view.setUint16(at, e.tag, true)
    view.setUint16(at + 2, e.type, true)
    view.setUint32(at + 4, e.values.length, true)
    const where = placed[i]!
    if (where < 0) put(at + 8, e.type, e.values)
    else {
      view.setUint32(at + 8, where, true)
      put(where, e.type, e.values)
    }
  })
  view.setUint32(ifdOffset + 2 + 12 * entries.length, 0, true) // no next IFD
  const samples = new Uint8Array(data.buffer, data.byteOffset, byteCount)
  if (LITTLE_ENDIAN) bytes.set(samples, dataOffset)
  else for (let i = 0; i < data.length; i++) view.setUint16(dataOffset + 2 * i, data[i]!, true)
  return bytes
}
