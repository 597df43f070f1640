import { writeFileSync } from 'node:fs'
import { writeArrayBuffer } from 'geotiff'
import type { Catalog } from '../../../src-main/catalog/catalog'

/** Every table's rows: what "the catalog is unchanged" means. */
export function snapshot(catalog: Catalog): Record<string, unknown[]> {
  const tables = catalog.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'patch_rtree_%' ORDER BY name")
    .pluck()
    .all() as string[]
  return Object.fromEntries(tables.map((t) => [t, catalog.db.prepare(`SELECT * FROM "${t}" ORDER BY 1`).all()]))
}

/** Renames tag `from` to `to` in a classic TIFF's first IFD: drops a tag (or fakes one) without a TIFF writer. */
export function retag(bytes: Uint8Array, from: number, to: number): Uint8Array {
  const out = new Uint8Array(bytes)
  const view = new DataView(out.buffer)
  const le = out[0] === 0x49
  const ifd = view.getUint32(4, le)
  const n = view.getUint16(ifd, le)
  for (let i = 0; i < n; i++) {
    const at = ifd + 2 + 12 * i
    if (view.getUint16(at, le) === from) view.setUint16(at, to, le)
  }
  return out
}

/** Where and how big a synthetic band is; epsg null writes no georeference. */
export interface UtmBandOptions {
  size: number
  res: number
  west: number
  north: number
  epsg?: number | null
  data?: Uint16Array | Float32Array
}

/** Writes a single-band GeoTIFF as BigEarthNet would (UInt16 unless data says otherwise, UTM 33N by default). */
export function writeUtmBand(path: string, o: UtmBandOptions): void {
  const geo = o.epsg === null ? {} : { ProjectedCSTypeGeoKey: o.epsg ?? 32633, GTModelTypeGeoKey: 1, GTRasterTypeGeoKey: 1 }
  const buf = writeArrayBuffer(o.data ?? new Uint16Array(o.size * o.size).fill(1000), {
    width: o.size,
    height: o.size,
    ModelPixelScale: [o.res, o.res, 0],
    ModelTiepoint: [0, 0, 0, o.west, o.north, 0],
    ...geo,
  })
  writeFileSync(path, new Uint8Array(buf))
}
