import { z } from 'zod'

/**
 * The one query language of EarthQube: the CLI's --json, the IPC call search:query and the UI all
 * speak it. Plain zod, no Node or DOM imports, so the renderer can import it too.
 */

const lon = z.number().finite().min(-180, 'longitude below -180').max(180, 'longitude above 180')
const lat = z.number().finite().min(-90, 'latitude below -90').max(90, 'latitude above 90')
const position = z.tuple([lon, lat], { error: 'a position is [lon, lat]' })

const samePoint = (a: readonly number[], b: readonly number[]): boolean => a[0] === b[0] && a[1] === b[1]

/** A WGS84 rectangle in degrees; west ≤ east (no antimeridian crossing), south ≤ north. */
export const BboxAreaSchema = z
  .strictObject({ type: z.literal('bbox'), west: lon, south: lat, east: lon, north: lat })
  .refine((b) => b.south <= b.north, { error: (i) => `bbox south (${(i.input as { south: number }).south}) is greater than north (${(i.input as { north: number }).north})` })
  .refine((b) => b.west <= b.east, { error: (i) => `bbox west (${(i.input as { west: number }).west}) is greater than east (${(i.input as { east: number }).east}); boxes across the antimeridian are not supported` })

/** A geodesic circle on the WGS84 ellipsoid. */
export const CircleAreaSchema = z.strictObject({
  type: z.literal('circle'),
  lon,
  lat,
  radiusMeters: z
    .number()
    .finite()
    .positive('circle radiusMeters must be positive')
    .max(2_000_000, 'circle radiusMeters must be at most 2,000,000 (2000 km)'),
})

/** A GeoJSON Polygon: an outer ring and optional holes, each closed, in lon/lat. */
export const PolygonAreaSchema = z
  .strictObject({
    type: z.literal('polygon'),
    coordinates: z
      .array(z.array(position).min(4, 'a polygon ring needs at least 4 positions (3 corners and the closing point)'))
      .min(1, 'a polygon needs an outer ring')
      .max(64, 'a polygon may have at most 64 rings'),
  })
  .superRefine((p, ctx) => {
    p.coordinates.forEach((ring, i) => {
      const first = ring[0]!
      const last = ring[ring.length - 1]!
      if (!samePoint(first, last)) {
        ctx.addIssue({
          code: 'custom',
          message: `polygon ring ${i} is not closed: first position [${first.join(', ')}] differs from last [${last.join(', ')}]`,
          path: ['coordinates', i],
        })
      }
    })
    const vertices = p.coordinates.reduce((n, r) => n + r.length, 0)
    if (vertices > 10_000) {
      ctx.addIssue({ code: 'custom', message: `polygon has ${vertices} positions; at most 10000`, path: ['coordinates'] })
    }
  })

/** Where to search: a patch matches when its footprint intersects the area. */
export const AreaSchema = z.union([BboxAreaSchema, CircleAreaSchema, PolygonAreaSchema], {
  error: 'area must be {type:"bbox",west,south,east,north}, {type:"circle",lon,lat,radiusMeters} or {type:"polygon",coordinates}',
})

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are "YYYY-MM-DD"')
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`)
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d
  }, { error: (i) => `${JSON.stringify(i.input)} is not a calendar date` })

export const SATELLITES = ['S2A', 'S2B'] as const
export const SEASON_NAMES = ['winter', 'spring', 'summer', 'autumn'] as const
export const LABEL_OPERATORS = ['some', 'exactly', 'atLeast'] as const
export const SORT_KEYS = ['datetime', 'name'] as const

/** Largest page a query may ask for. */
export const MAX_PAGE_LIMIT = 1000
export const DEFAULT_PAGE_LIMIT = 50

/**
 * Label condition. some: shares a selected label; exactly: the label set equals the selection;
 * atLeast: contains every selected label. A label is an archive label name or a CLC code at any
 * level ("3", "31", "311"); a group stands for all its leaves.
 */
export const LabelFilterSchema = z.strictObject({
  operator: z.enum(LABEL_OPERATORS, { error: 'labels.operator must be "some", "exactly" or "atLeast"' }),
  labels: z.array(z.string().min(1, 'a label is a non-empty string').max(200)).min(1, 'labels.labels needs at least one label').max(64),
})

/** A catalog query. Every field is optional; an empty query matches the whole catalog. */
export const SearchQuerySchema = z
  .strictObject({
    area: AreaSchema.optional(),
    /** Inclusive, UTC acquisition date. */
    dateFrom: isoDate.optional(),
    /** Inclusive, UTC acquisition date. */
    dateTo: isoDate.optional(),
    satellites: z.array(z.enum(SATELLITES, { error: 'satellites are "S2A" or "S2B"' })).min(1).optional(),
    /** Meteorological seasons, northern hemisphere (Dec–Feb winter, …). */
    seasons: z
      .array(z.enum(SEASON_NAMES, { error: 'seasons are "spring", "summer", "autumn" or "winter"' }))
      .min(1)
      .optional(),
    countries: z.array(z.string().min(1).max(100)).min(1).max(64).optional(),
    labels: LabelFilterSchema.optional(),
    page: z
      .strictObject({
        offset: z.number().int('page.offset must be a whole number').min(0, 'page.offset must be ≥ 0').default(0),
        limit: z
          .number()
          .int('page.limit must be a whole number')
          .min(0, 'page.limit must be ≥ 0')
          .max(MAX_PAGE_LIMIT, `page.limit must be at most ${MAX_PAGE_LIMIT}`)
          .default(DEFAULT_PAGE_LIMIT),
      })
      .optional(),
    sort: z
      .strictObject({
        by: z.enum(SORT_KEYS, { error: 'sort.by is "datetime" or "name"' }).default('datetime'),
        order: z.enum(['asc', 'desc'], { error: 'sort.order is "asc" or "desc"' }).default('asc'),
      })
      .optional(),
  })
  .refine((q) => !(q.dateFrom && q.dateTo && q.dateFrom > q.dateTo), {
    error: (i) => {
      const q = i.input as { dateFrom: string; dateTo: string }
      return `dateFrom (${q.dateFrom}) is after dateTo (${q.dateTo})`
    },
  })

export type SearchQuery = z.input<typeof SearchQuerySchema>
export type ParsedSearchQuery = z.output<typeof SearchQuerySchema>

/** A GeoJSON Polygon geometry. */
export interface PolygonGeometry {
  type: 'Polygon'
  coordinates: [number, number][][]
}

/** One patch in a result page. */
export interface SearchItem {
  name: string
  /** [west, south, east, north], WGS84 degrees. */
  bbox: [number, number, number, number]
  footprint: PolygonGeometry
  /** UTC, ISO 8601. */
  datetime: string
  satellite: 'S2A' | 'S2B'
  season: (typeof SEASON_NAMES)[number]
  country: string | null
  labels: string[]
}

/** Result of a query: the total, one page, and label counts over the whole result. */
export interface SearchResult {
  total: number
  items: SearchItem[]
  labelStats: { label: string; count: number }[]
}

/** Turns a zod error into one readable line naming each problem and where it is. */
export function describeQueryError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
      return `${where}${issue.message}`
    })
    .join('; ')
}

/** Validates a query; throws an Error whose message names every problem. */
export function parseSearchQuery(input: unknown): ParsedSearchQuery {
  const r = SearchQuerySchema.safeParse(input)
  if (!r.success) throw new Error(`invalid query: ${describeQueryError(r.error)}`)
  return r.data
}
