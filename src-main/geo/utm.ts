import mgrs from 'mgrs'
import proj4 from 'proj4'

/** A patch's square in its native UTM grid, metres. */
export interface UtmBox {
  epsg: number
  west: number
  south: number
  east: number
  north: number
}

/** A closed WGS84 ring of [lon, lat] pairs (first point repeated last), counter-clockwise. */
export type Ring = [number, number][]

/** Side of a BigEarthNet patch in metres. */
export const PATCH_SIZE_M = 1200
/** Grid the Sentinel-2 tile origin is snapped to (the 60 m bands' pixel size). */
const TILE_GRID_M = 60

const converters = new Map<number, proj4.Converter>()

/** proj4 converter between a WGS84 / UTM EPSG code (326zz north, 327zz south) and WGS84 lon/lat. */
export function utmConverter(epsg: number): proj4.Converter {
  let c = converters.get(epsg)
  if (!c) {
    const zone = epsg % 100
    const south = Math.floor(epsg / 100) === 327
    if (!((Math.floor(epsg / 100) === 326 || south) && zone >= 1 && zone <= 60)) {
      throw new Error(`EPSG:${epsg} is not a WGS 84 / UTM zone (expected 32601–32660 or 32701–32760)`)
    }
    c = proj4('WGS84', `+proj=utm +zone=${zone}${south ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`)
    converters.set(epsg, c)
  }
  return c
}

/** Upper-left corner and EPSG of a Sentinel-2 MGRS tile, e.g. "33UUP" → (300000, 5400000), EPSG:32633. */
export function tileOrigin(tile: string): { epsg: number; x: number; y: number } {
  const m = /^(\d{1,2})([C-HJ-NP-X])([A-HJ-NP-Z])([A-HJ-NP-V])$/.exec(tile)
  if (!m) throw new Error(`"${tile}" is not a Sentinel-2 MGRS tile name (e.g. 33UUP)`)
  const zone = Number(m[1])
  if (zone < 1 || zone > 60) throw new Error(`"${tile}" has UTM zone ${zone}, expected 1–60`)
  const southern = m[2]! < 'N'
  const epsg = (southern ? 32700 : 32600) + zone
  // South-west corner of the tile's 100 km MGRS square, in lon/lat, back into the zone's UTM grid.
  const [west, south] = mgrs.inverse(tile)
  const [e, n] = utmConverter(epsg).forward([west, south])
  // The corner lies on whole metres; rounding removes the round trip's sub-millimetre error.
  const squareWest = Math.round(e!)
  const squareNorth = Math.round(n!) + 100_000
  return {
    epsg,
    x: Math.floor(squareWest / TILE_GRID_M) * TILE_GRID_M,
    y: Math.ceil(squareNorth / TILE_GRID_M) * TILE_GRID_M,
  }
}

/** UTM square of patch (column x, row y) of a tile, by the BigEarthNet rule. */
export function patchUtmBox(tile: string, x: number, y: number): UtmBox {
  const o = tileOrigin(tile)
  const west = o.x + PATCH_SIZE_M * x
  const north = o.y - PATCH_SIZE_M * y
  return { epsg: o.epsg, west, north, east: west + PATCH_SIZE_M, south: north - PATCH_SIZE_M }
}

/** WGS84 footprint of a UTM box: its four corners, counter-clockwise from south-west, closed. */
export function footprintOf(box: UtmBox): Ring {
  const c = utmConverter(box.epsg)
  const corners: [number, number][] = [
    [box.west, box.south],
    [box.east, box.south],
    [box.east, box.north],
    [box.west, box.north],
  ]
  const ring = corners.map((p) => c.inverse(p) as [number, number])
  ring.push([ring[0]![0], ring[0]![1]])
  return ring
}

/** [west, south, east, north] of a ring. */
export function bboxOf(ring: Ring): [number, number, number, number] {
  let w = Infinity
  let s = Infinity
  let e = -Infinity
  let n = -Infinity
  for (const [lon, lat] of ring) {
    if (lon < w) w = lon
    if (lon > e) e = lon
    if (lat < s) s = lat
    if (lat > n) n = lat
  }
  return [w, s, e, n]
}
