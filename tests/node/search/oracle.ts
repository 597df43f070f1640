import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import booleanIntersects from '@turf/boolean-intersects'
import { polygon } from '@turf/helpers'
import mgrs from 'mgrs'
import proj4 from 'proj4'

/**
 * An independent model of the reBEN archive for checking search results: it reads the Parquet rows
 * itself and answers queries by brute force with its own parsing, label sets (strings, not bitmasks)
 * and geometry (turf, haversine sampling), never through the catalog or the search engine.
 */
export interface OracleRow {
  name: string
  satellite: string
  /** UTC seconds. */
  time: number
  month: number
  country: string
  labels: Set<string>
  ring: [number, number][]
  bbox: [number, number, number, number]
}

export async function loadOracle(files: string[]): Promise<OracleRow[]> {
  const rows: OracleRow[] = []
  const converters = new Map<number, proj4.Converter>()
  for (const f of files) {
    const data = await parquetReadObjects({ file: await asyncBufferFromFile(f), columns: ['patch_id', 'labels', 'country'], compressors })
    for (const r of data as { patch_id: string; labels: string[]; country: string }[]) {
      const parts = r.patch_id.split('_')
      // S2A MSIL2A 20170613T101031 N9999 R022 T33UUP 75 43
      const [sat, , stamp, , , tileT, xs, ys] = parts as [string, string, string, string, string, string, string, string]
      const tile = tileT.slice(1)
      const zone = Number(tile.slice(0, 2))
      let c = converters.get(zone)
      if (!c) {
        c = proj4('WGS84', `+proj=utm +zone=${zone} +datum=WGS84 +units=m +no_defs`)
        converters.set(zone, c)
      }
      const sw = mgrs.inverse(tile)
      const [e0, n0] = c.forward([sw[0], sw[1]]) as [number, number]
      const tileX = Math.floor(Math.round(e0) / 60) * 60
      const tileY = Math.ceil((Math.round(n0) + 100000) / 60) * 60
      const ulx = tileX + 1200 * Number(xs)
      const uly = tileY - 1200 * Number(ys)
      const ring = [
        [ulx, uly - 1200], [ulx + 1200, uly - 1200], [ulx + 1200, uly], [ulx, uly], [ulx, uly - 1200],
      ].map((p) => c!.inverse(p) as [number, number])
      const lons = ring.map((p) => p[0]), lats = ring.map((p) => p[1])
      const time = Date.UTC(+stamp.slice(0, 4), +stamp.slice(4, 6) - 1, +stamp.slice(6, 8), +stamp.slice(9, 11), +stamp.slice(11, 13), +stamp.slice(13, 15)) / 1000
      rows.push({
        name: r.patch_id,
        satellite: sat,
        time,
        month: +stamp.slice(4, 6),
        country: r.country,
        labels: new Set(r.labels),
        ring,
        bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)],
      })
    }
  }
  return rows
}

export function seasonOfMonth(month: number): string {
  return ['winter', 'winter', 'spring', 'spring', 'spring', 'summer', 'summer', 'summer', 'autumn', 'autumn', 'autumn', 'winter'][month - 1]!
}

/** Does the footprint intersect a GeoJSON polygon (turf)? */
export function intersectsPolygon(row: OracleRow, coords: [number, number][][], bbox: [number, number, number, number]): boolean {
  const [w, s, e, n] = bbox
  if (row.bbox[2] < w || row.bbox[0] > e || row.bbox[3] < s || row.bbox[1] > n) return false
  return booleanIntersects(polygon([row.ring]), polygon(coords))
}

const R = 6371008.8
export function haversine(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180
  const dLat = (b[1] - a[1]) * rad, dLon = (b[0] - a[0]) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** Spherical distance from a point to a footprint: 0 inside, else the nearest of 64 samples per edge. */
export function distanceToFootprint(row: OracleRow, p: [number, number]): number {
  const ring = row.ring
  let inside = false
  for (let i = 0, j = ring.length - 2; i < ring.length - 1; j = i++) {
    const [xi, yi] = ring[i]!, [xj, yj] = ring[j]!
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside
  }
  if (inside) return 0
  let best = Infinity
  for (let i = 0; i < 4; i++) {
    const a = ring[i]!, b = ring[i + 1]!
    for (let k = 0; k <= 64; k++) {
      const t = k / 64
      const d = haversine(p, [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])])
      if (d < best) best = d
    }
  }
  return best
}
