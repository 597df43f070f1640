/**
 * The season of a simulated patch: how green grass, crops and broad-leaved trees are, how wet bare soil is,
 * per climate of the ten BigEarthNet countries and day of the year. Monthly values (mid-month, linearly
 * interpolated) follow the shapes of the pan-European Sentinel-2 phenology product (Copernicus Land
 * Monitoring Service, High Resolution Vegetation Phenology and Productivity, 2017–) and the usual sowing
 * and harvest months of European crop calendars (USDA FAS IPAD crop calendars for Europe): winter cereals
 * green from autumn to June and harvested in July, spring cereals sown in April, maize and beet green from
 * June to September, Mediterranean grassland green in winter and dry in summer, boreal growth from late May.
 */

/** Climates of the BigEarthNet countries, for phenology. */
export type Climate = 'boreal' | 'continental' | 'maritime' | 'mediterranean'

/** The climate each BigEarthNet country's phenology follows. */
export const CLIMATE_OF_COUNTRY: Readonly<Record<string, Climate>> = {
  Finland: 'boreal',
  Lithuania: 'continental',
  Austria: 'continental',
  Switzerland: 'continental',
  Serbia: 'continental',
  Kosovo: 'continental',
  Ireland: 'maritime',
  Belgium: 'maritime',
  Luxembourg: 'maritime',
  Portugal: 'mediterranean',
}

type Monthly = readonly [number, number, number, number, number, number, number, number, number, number, number, number]

/** Green fraction of grassland and pastures, January … December. */
const GRASS: Record<Climate, Monthly> = {
  boreal: [0.05, 0.05, 0.05, 0.1, 0.4, 0.8, 0.9, 0.85, 0.7, 0.45, 0.2, 0.05],
  continental: [0.25, 0.25, 0.35, 0.6, 0.85, 0.9, 0.8, 0.7, 0.65, 0.55, 0.4, 0.3],
  maritime: [0.55, 0.55, 0.6, 0.75, 0.9, 0.9, 0.85, 0.8, 0.8, 0.7, 0.6, 0.55],
  mediterranean: [0.7, 0.75, 0.8, 0.8, 0.6, 0.3, 0.15, 0.1, 0.15, 0.4, 0.6, 0.7],
}

/** Leaf-on fraction of broad-leaved stands (Portugal's are largely evergreen oak and eucalyptus). */
const LEAF_ON: Record<Climate, Monthly> = {
  boreal: [0, 0, 0, 0, 0.3, 0.9, 1, 1, 0.7, 0.2, 0, 0],
  continental: [0, 0, 0, 0.2, 0.8, 1, 1, 1, 0.85, 0.5, 0.1, 0],
  maritime: [0, 0, 0.05, 0.3, 0.85, 1, 1, 1, 0.9, 0.6, 0.2, 0],
  mediterranean: [0.6, 0.6, 0.65, 0.8, 0.95, 1, 1, 0.95, 0.9, 0.8, 0.7, 0.6],
}

/** Wetness of bare soil (darkens it, above all in the SWIR). */
const SOIL_WETNESS: Record<Climate, Monthly> = {
  boreal: [0.8, 0.8, 0.8, 0.7, 0.5, 0.3, 0.3, 0.35, 0.5, 0.65, 0.8, 0.8],
  continental: [0.7, 0.7, 0.6, 0.45, 0.35, 0.3, 0.25, 0.25, 0.35, 0.5, 0.65, 0.7],
  maritime: [0.8, 0.8, 0.7, 0.55, 0.45, 0.35, 0.35, 0.35, 0.45, 0.6, 0.75, 0.8],
  mediterranean: [0.6, 0.55, 0.45, 0.4, 0.25, 0.1, 0.05, 0.05, 0.1, 0.35, 0.5, 0.6],
}

/** A crop's green and dry (senescent, stubble) cover per month; the rest is bare soil. */
interface CropCalendar {
  green: Monthly
  dry: Monthly
}

const WINTER_CEREAL: CropCalendar = {
  green: [0.2, 0.2, 0.3, 0.6, 0.9, 0.75, 0.25, 0, 0, 0.1, 0.25, 0.2],
  dry: [0, 0, 0, 0, 0, 0.2, 0.65, 0.55, 0.2, 0, 0, 0],
}
const SPRING_CEREAL: CropCalendar = {
  green: [0, 0, 0, 0.05, 0.45, 0.9, 0.6, 0.05, 0, 0, 0, 0],
  dry: [0.15, 0.15, 0.1, 0, 0, 0, 0.35, 0.65, 0.35, 0.15, 0.15, 0.15],
}
const SUMMER_CROP: CropCalendar = {
  green: [0, 0, 0, 0, 0.05, 0.35, 0.85, 0.95, 0.7, 0.2, 0, 0],
  dry: [0.1, 0.1, 0.05, 0, 0, 0, 0, 0, 0.25, 0.45, 0.25, 0.15],
}
const GRASS_LEY: CropCalendar = {
  green: [0.3, 0.3, 0.4, 0.65, 0.9, 0.85, 0.7, 0.75, 0.7, 0.6, 0.45, 0.35],
  dry: [0.3, 0.3, 0.2, 0.1, 0, 0.1, 0.2, 0.1, 0.1, 0.15, 0.25, 0.3],
}
const BOREAL_SPRING_CEREAL: CropCalendar = {
  green: [0, 0, 0, 0, 0.1, 0.6, 0.9, 0.5, 0.05, 0, 0, 0],
  dry: [0.2, 0.2, 0.2, 0.2, 0.05, 0, 0, 0.4, 0.6, 0.4, 0.3, 0.2],
}
const BOREAL_LEY: CropCalendar = {
  green: [0.05, 0.05, 0.05, 0.1, 0.45, 0.85, 0.8, 0.8, 0.65, 0.4, 0.2, 0.05],
  dry: [0.6, 0.6, 0.6, 0.6, 0.35, 0.05, 0.1, 0.1, 0.2, 0.4, 0.6, 0.6],
}
const MEDITERRANEAN_CEREAL: CropCalendar = {
  green: [0.5, 0.7, 0.85, 0.8, 0.45, 0.05, 0, 0, 0, 0.05, 0.2, 0.35],
  dry: [0, 0, 0, 0.1, 0.45, 0.75, 0.6, 0.5, 0.4, 0.1, 0, 0],
}
const IRRIGATED_SUMMER_CROP: CropCalendar = {
  green: [0, 0, 0, 0, 0.2, 0.6, 0.9, 0.9, 0.6, 0.2, 0, 0],
  dry: [0.1, 0.1, 0, 0, 0, 0, 0, 0, 0.2, 0.4, 0.2, 0.1],
}
const FALLOW: CropCalendar = {
  green: [0.45, 0.5, 0.55, 0.55, 0.4, 0.15, 0.05, 0.05, 0.05, 0.2, 0.35, 0.4],
  dry: [0.2, 0.2, 0.2, 0.25, 0.4, 0.6, 0.6, 0.55, 0.5, 0.35, 0.25, 0.2],
}

/** The crops a field of each climate may carry, equally likely. */
const CROPS: Record<Climate, readonly CropCalendar[]> = {
  boreal: [BOREAL_SPRING_CEREAL, BOREAL_SPRING_CEREAL, BOREAL_LEY],
  continental: [WINTER_CEREAL, WINTER_CEREAL, SPRING_CEREAL, SUMMER_CROP, SUMMER_CROP, GRASS_LEY],
  maritime: [WINTER_CEREAL, WINTER_CEREAL, SUMMER_CROP, GRASS_LEY, GRASS_LEY],
  mediterranean: [MEDITERRANEAN_CEREAL, MEDITERRANEAN_CEREAL, IRRIGATED_SUMMER_CROP, FALLOW],
}

/** The season of one patch. */
export interface SeasonState {
  climate: Climate
  /** Green fraction of grassland. */
  grass: number
  /** Leaf-on fraction of broad-leaved trees. */
  leafOn: number
  /** Wetness of bare soil, 0 (dry) … 1 (wet). */
  soilWetness: number
  /** Per crop of the climate: green then dry cover, [g0, d0, g1, d1, …]. */
  crops: Float32Array
  cropCount: number
}

/** The value of a monthly curve on a day of the year (values at mid-month, linear in between, cyclic). */
export function monthlyAt(curve: Monthly, dayOfYear: number): number {
  const t = (dayOfYear - 15) / 30.44 // 0 at mid-January
  const i = Math.floor(t)
  const f = t - i
  const a = curve[((i % 12) + 12) % 12]!
  const b = curve[(((i + 1) % 12) + 12) % 12]!
  return a + f * (b - a)
}

/** The season of a patch in `country` on `dayOfYear`; an unknown country gets continental phenology. */
export function seasonState(country: string, dayOfYear: number): SeasonState {
  const climate = CLIMATE_OF_COUNTRY[country] ?? 'continental'
  const crops = CROPS[climate]
  const cropState = new Float32Array(crops.length * 2)
  crops.forEach((c, i) => {
    cropState[2 * i] = monthlyAt(c.green, dayOfYear)
    cropState[2 * i + 1] = monthlyAt(c.dry, dayOfYear)
  })
  return {
    climate,
    grass: monthlyAt(GRASS[climate], dayOfYear),
    leafOn: monthlyAt(LEAF_ON[climate], dayOfYear),
    soilWetness: monthlyAt(SOIL_WETNESS[climate], dayOfYear),
    crops: cropState,
    cropCount: crops.length,
  }
}
