import kinks from '@turf/kinks'
import { polygon as turfPolygon } from '@turf/helpers'
import proj4 from 'proj4'

/**
 * Exact area tests for search. Footprints are quadrilaterals (4 lon/lat corners); areas are a lon/lat
 * rectangle, a GeoJSON polygon (planar in lon/lat, as GeoJSON defines) or a geodesic circle on WGS84.
 */

/** How a patch's bounding box relates to an area. */
export const enum BoxRelation {
  Outside = 0,
  Inside = 1,
  /** Cannot tell from the box: the exact footprint test decides. */
  Boundary = 2,
}

/** An area prepared for many tests. */
export interface PreparedArea {
  /** Conservative WGS84 box of the area: every intersecting footprint's box overlaps it. */
  bbox: [number, number, number, number]
  /** Relation of a footprint's bounding box to the area. */
  classifyBox(w: number, s: number, e: number, n: number): BoxRelation
  /** Exact test: does the footprint (4 corners lon,lat,…) intersect the area? */
  intersectsQuad(quad: Float64Array): boolean
}

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
}

function onSegment(ax: number, ay: number, bx: number, by: number, px: number, py: number): boolean {
  return Math.min(ax, bx) <= px && px <= Math.max(ax, bx) && Math.min(ay, by) <= py && py <= Math.max(ay, by)
}

/** Do closed segments AB and CD share a point? */
export function segmentsIntersect(
  ax: number, ay: number, bx: number, by: number,
  cx: number, cy: number, dx: number, dy: number,
): boolean {
  const d1 = orient(cx, cy, dx, dy, ax, ay)
  const d2 = orient(cx, cy, dx, dy, bx, by)
  const d3 = orient(ax, ay, bx, by, cx, cy)
  const d4 = orient(ax, ay, bx, by, dx, dy)
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true
  if (d1 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) return true
  if (d2 === 0 && onSegment(cx, cy, dx, dy, bx, by)) return true
  if (d3 === 0 && onSegment(ax, ay, bx, by, cx, cy)) return true
  if (d4 === 0 && onSegment(ax, ay, bx, by, dx, dy)) return true
  return false
}

/** Rings as flat [x0, y0, x1, y1, …] arrays, closing point included. */
type FlatRings = Float64Array[]

/** Even-odd point-in-polygon over all rings (holes subtract). Points on an edge count as inside. */
function pointInRings(rings: FlatRings, x: number, y: number): boolean {
  let inside = false
  for (const r of rings) {
    for (let i = 0, j = r.length - 2; i < r.length; j = i, i += 2) {
      const xi = r[i]!, yi = r[i + 1]!, xj = r[j]!, yj = r[j + 1]!
      if (orient(xj, yj, xi, yi, x, y) === 0 && onSegment(xj, yj, xi, yi, x, y)) return true
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
    }
  }
  return inside
}

function quadToRing(q: Float64Array | number[]): Float64Array {
  const r = new Float64Array(10)
  for (let i = 0; i < 8; i++) r[i] = q[i]!
  r[8] = q[0]!
  r[9] = q[1]!
  return r
}

/** Do a polygon (rings) and a quadrilateral intersect (share any point)? */
function ringsIntersectQuad(rings: FlatRings, quad: Float64Array | number[]): boolean {
  for (let i = 0; i < 8; i += 2) if (pointInRings(rings, quad[i]!, quad[i + 1]!)) return true
  const q = [quadToRing(quad)]
  for (const r of rings) {
    for (let i = 0; i < r.length; i += 2) if (pointInRings(q, r[i]!, r[i + 1]!)) return true
  }
  for (const r of rings) {
    for (let i = 2; i < r.length; i += 2) {
      const ax = r[i - 2]!, ay = r[i - 1]!, bx = r[i]!, by = r[i + 1]!
      for (let k = 0; k < 8; k += 2) {
        const k2 = (k + 2) % 8
        if (segmentsIntersect(ax, ay, bx, by, quad[k]!, quad[k + 1]!, quad[k2]!, quad[k2 + 1]!)) return true
      }
    }
  }
  return false
}

/** Is the quadrilateral entirely inside the polygon (corners inside, no edge crossing)? */
function ringsContainQuad(rings: FlatRings, quad: number[]): boolean {
  for (let i = 0; i < 8; i += 2) if (!pointInRings(rings, quad[i]!, quad[i + 1]!)) return false
  for (const r of rings) {
    for (let i = 2; i < r.length; i += 2) {
      const ax = r[i - 2]!, ay = r[i - 1]!, bx = r[i]!, by = r[i + 1]!
      for (let k = 0; k < 8; k += 2) {
        const k2 = (k + 2) % 8
        if (segmentsIntersect(ax, ay, bx, by, quad[k]!, quad[k + 1]!, quad[k2]!, quad[k2 + 1]!)) return false
      }
    }
  }
  return true
}

function boxQuad(w: number, s: number, e: number, n: number): number[] {
  return [w, s, e, s, e, n, w, n]
}

/** Checks a GeoJSON polygon for self-intersections (rings crossing themselves or each other). */
export function assertSimplePolygon(coordinates: [number, number][][]): void {
  const found = kinks(turfPolygon(coordinates)).features
  if (found.length > 0) {
    const p = found[0]!.geometry.coordinates
    throw new Error(
      `invalid query: area.coordinates: polygon is self-intersecting (${found.length} crossing${found.length > 1 ? 's' : ''}, first at [${p[0]}, ${p[1]}])`,
    )
  }
}

/** Does any ring vertex lie strictly inside the box? (A hole can hide inside a box whose corners are all inside.) */
function vertexInsideBox(rings: FlatRings, w: number, s: number, e: number, n: number): boolean {
  for (const r of rings) {
    for (let i = 0; i < r.length; i += 2) {
      const x = r[i]!, y = r[i + 1]!
      if (x > w && x < e && y > s && y < n) return true
    }
  }
  return false
}

/** Upper bound on cells × polygon vertices spent classifying the grid (a few ms). */
const GRID_WORK = 2_000_000
const MAX_GRID = 64

/**
 * A GeoJSON polygon area (planar lon/lat), holes allowed. Validate with assertSimplePolygon first.
 * A coarse grid over the polygon's box, each cell classified once as inside, outside or on the rim,
 * answers most footprint boxes without touching the polygon's edges; boxes over rim cells get the
 * exact test.
 */
export function preparePolygon(coordinates: [number, number][][]): PreparedArea {
  const rings: FlatRings = coordinates.map((ring) => Float64Array.from(ring.flat()))
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity
  for (const [x, y] of coordinates[0]!) {
    if (x < w) w = x
    if (x > e) e = x
    if (y < s) s = y
    if (y > n) n = y
  }
  const vertices = rings.reduce((k, r) => k + r.length / 2, 0)
  const g = Math.max(1, Math.min(MAX_GRID, Math.floor(Math.sqrt(GRID_WORK / vertices))))
  const cw = (e - w) / g
  const ch = (n - s) / g
  const cells = new Uint8Array(g * g)
  if (cw > 0 && ch > 0) {
    for (let y = 0; y < g; y++) {
      for (let x = 0; x < g; x++) {
        const x0 = w + x * cw, x1 = w + (x + 1) * cw, y0 = s + y * ch, y1 = s + (y + 1) * ch
        const q = boxQuad(x0, y0, x1, y1)
        let state: BoxRelation = BoxRelation.Boundary
        if (!ringsIntersectQuad(rings, q)) state = BoxRelation.Outside
        else if (ringsContainQuad(rings, q) && !vertexInsideBox(rings, x0, y0, x1, y1)) state = BoxRelation.Inside
        cells[y * g + x] = state
      }
    }
  } else {
    cells.fill(BoxRelation.Boundary)
  }
  const exact = (bw: number, bs: number, be: number, bn: number): BoxRelation => {
    const q = boxQuad(bw, bs, be, bn)
    if (ringsContainQuad(rings, q)) return BoxRelation.Inside
    if (!ringsIntersectQuad(rings, q)) return BoxRelation.Outside
    return BoxRelation.Boundary
  }
  return {
    bbox: [w, s, e, n],
    classifyBox(bw, bs, be, bn) {
      if (be < w || bw > e || bn < s || bs > n) return BoxRelation.Outside
      if (!(cw > 0 && ch > 0)) return exact(bw, bs, be, bn)
      // Cells the box touches, widened by a hair so rounding at a cell edge cannot drop one.
      const x0 = Math.max(0, Math.floor((bw - w) / cw - 1e-9)), x1 = Math.min(g - 1, Math.floor((be - w) / cw + 1e-9))
      const y0 = Math.max(0, Math.floor((bs - s) / ch - 1e-9)), y1 = Math.min(g - 1, Math.floor((bn - s) / ch + 1e-9))
      const withinBox = bw >= w && be <= e && bs >= s && bn <= n
      let allInside = withinBox
      let allOutside = true
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const c = cells[y * g + x]!
          if (c !== BoxRelation.Inside) allInside = false
          if (c !== BoxRelation.Outside) allOutside = false
        }
      }
      if (allInside) return BoxRelation.Inside
      if (allOutside) return BoxRelation.Outside
      return exact(bw, bs, be, bn)
    },
    intersectsQuad: (quad) => ringsIntersectQuad(rings, quad),
  }
}

/** A lon/lat rectangle area. */
export function prepareBbox(w: number, s: number, e: number, n: number): PreparedArea {
  const rings: FlatRings = [Float64Array.from([w, s, e, s, e, n, w, n, w, s])]
  return {
    bbox: [w, s, e, n],
    classifyBox(bw, bs, be, bn) {
      if (be < w || bw > e || bn < s || bs > n) return BoxRelation.Outside
      if (bw >= w && be <= e && bs >= s && bn <= n) return BoxRelation.Inside
      return BoxRelation.Boundary
    },
    intersectsQuad: (quad) => ringsIntersectQuad(rings, quad),
  }
}

const EARTH_MEAN_RADIUS = 6_371_008.8
/** Smallest radius of curvature of the WGS84 ellipsoid (meridional, at the equator), metres. */
const EARTH_MIN_RADIUS = 6_335_439
/** Spherical distance stays within 0.6 % of the WGS84 geodesic; 1 % plus 10 m keeps the shortcut safe. */
const SPHERE_SLACK = 0.01
const SLACK_M = 10

const RAD = Math.PI / 180

function haversine(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * RAD
  const dLon = (lon2 - lon1) * RAD
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_MEAN_RADIUS * Math.asin(Math.min(1, Math.sqrt(a)))
}

function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax, vy = by - ay
  const len2 = vx * vx + vy * vy
  let t = len2 > 0 ? ((px - ax) * vx + (py - ay) * vy) / len2 : 0
  t = Math.max(0, Math.min(1, t))
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy))
}

/**
 * A geodesic circle on the WGS84 ellipsoid. The exact test projects the footprint into an azimuthal
 * equidistant projection centred on the circle (proj4, Vincenty's formulae), where distance from the
 * centre is the geodesic distance; spherical distances only shortcut cases far from the rim.
 */
export function prepareCircle(lon: number, lat: number, radius: number): PreparedArea {
  const dLat = (radius / EARTH_MIN_RADIUS) / RAD * 1.001 + 1e-6
  const south = Math.max(-90, lat - dLat)
  const north = Math.min(90, lat + dLat)
  const maxAbsLat = Math.max(Math.abs(south), Math.abs(north))
  let west = -180, east = 180
  if (maxAbsLat < 89) {
    const dLon = (radius / (EARTH_MIN_RADIUS * Math.cos(maxAbsLat * RAD))) / RAD * 1.001 + 1e-6
    if (dLon < 180) {
      west = Math.max(-180, lon - dLon)
      east = Math.min(180, lon + dLon)
    }
  }
  const aeqd = proj4('WGS84', `+proj=aeqd +lat_0=${lat} +lon_0=${lon} +datum=WGS84 +units=m +no_defs`)
  const inner = radius * (1 - SPHERE_SLACK) - SLACK_M
  const outer = radius * (1 + SPHERE_SLACK) + SLACK_M
  return {
    bbox: [west, south, east, north],
    classifyBox(bw, bs, be, bn) {
      if (be < west || bw > east || bn < south || bs > north) return BoxRelation.Outside
      const far = Math.max(haversine(lon, lat, bw, bs), haversine(lon, lat, be, bs), haversine(lon, lat, be, bn), haversine(lon, lat, bw, bn))
      if (far < inner) return BoxRelation.Inside
      const near = haversine(lon, lat, Math.min(Math.max(lon, bw), be), Math.min(Math.max(lat, bs), bn))
      // The clamped point is on the box's edge but not always its nearest point on a sphere; it is at
      // most one box diagonal from it, so subtracting the diagonal keeps the shortcut safe.
      if (near - haversine(bw, bs, be, bn) > outer) return BoxRelation.Outside
      return BoxRelation.Boundary
    },
    intersectsQuad(quad) {
      const p: number[] = []
      for (let i = 0; i < 8; i += 2) {
        const [x, y] = aeqd.forward([quad[i]!, quad[i + 1]!])
        p.push(x!, y!)
      }
      if (pointInRings([quadToRing(p)], 0, 0)) return true
      for (let k = 0; k < 8; k += 2) {
        const k2 = (k + 2) % 8
        if (segmentDistance(0, 0, p[k]!, p[k + 1]!, p[k2]!, p[k2 + 1]!) <= radius) return true
      }
      return false
    },
  }
}
