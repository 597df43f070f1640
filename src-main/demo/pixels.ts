import { bitsOf, labelBit } from '../catalog/nomenclature'
import type { BandName } from '../sentinel2/bands'
import { BAND_RESOLUTION_M, BIGEARTHNET_BANDS } from '../sentinel2/bands'
import type { DemoPatch } from './archive'
import { demoPatch } from './archive'
import type { SeasonState } from './phenology'
import { seasonState } from './phenology'
import { STREAM, between, hash2, hash3, hashString, patchRng, uniform, unit } from './random'
import type { Signature } from './signatures'
import {
  ASPHALT,
  BROADLEAF,
  BROADLEAF_LEAF_OFF,
  CLEAR_WATER,
  CONIFER,
  DRY_VEGETATION,
  GRASS,
  GREEN_CROP,
  INDUSTRIAL_ROOFS,
  ROCK,
  ROOFS,
  SAND,
  SEA,
  SENSOR_SNR,
  SHRUB,
  SIGNATURE_BANDS,
  SNOW,
  SOIL,
  TILE_ROOFS,
  TURBID_WATER,
  WET_VEGETATION,
  mixSignatures,
  scaleSignature,
} from './signatures'

/**
 * Simulated Sentinel-2 pixels of a demo patch, regenerated from (seed, index) on demand: identical bytes
 * every time, never stored. The patch's labels become a 10 m land-cover map (rectangular fields and
 * meadows, blobby forest stands, smooth lakes, rivers and coasts, gridded town blocks), each class is
 * painted with mixtures of published reflectance signatures (signatures.ts) set by the season
 * (phenology.ts), snow lies on snowy patches, and every band gets texture and sensor noise. Labels are
 * as skewed and as incomplete as BigEarthNet's (one dominant class, minor ones of a few per cent, some
 * unlabelled land cover below the mapping unit), and every class varies by region, patch and field. The 20 m and
 * 60 m bands are area averages of the 10 m scene, so all bands agree spatially.
 */

/** One simulated band, as BigEarthNet ships it: UInt16 reflectance × 10000. */
export interface DemoBand {
  width: number
  height: number
  data: Uint16Array
  /** Pixel size, metres. */
  resolution: number
}

/** Side of the 10 m scene, pixels. */
const SIDE = 120
const PIXELS = SIDE * SIDE
/** Classes of the ben19 nomenclature (bit indices), looked up by name. */
const CLASS_COUNT = 19
const MAX_SEEDS = 24
/** Voronoi is first solved on the corners of BLOCK × BLOCK pixel blocks. */
const BLOCK = 4
const CORNERS = SIDE / BLOCK + 1

function bit(name: string): number {
  const b = labelBit('ben19', name)
  if (b === undefined) throw new Error(`ben19 has no label "${name}"`)
  return b
}

const URBAN = bit('Urban fabric')
const INDUSTRIAL = bit('Industrial or commercial units')
const ARABLE = bit('Arable land')
const PERMANENT_CROPS = bit('Permanent crops')
const PASTURES = bit('Pastures')
const COMPLEX = bit('Complex cultivation patterns')
const AGRI_NATURAL = bit('Land principally occupied by agriculture, with significant areas of natural vegetation')
const AGRO_FORESTRY = bit('Agro-forestry areas')
const BROADLEAF_FOREST = bit('Broad-leaved forest')
const CONIFEROUS_FOREST = bit('Coniferous forest')
const MIXED_FOREST = bit('Mixed forest')
const GRASSLAND = bit('Natural grassland and sparsely vegetated areas')
const MOORS = bit('Moors, heathland and sclerophyllous vegetation')
const TRANSITIONAL = bit('Transitional woodland, shrub')
const BEACHES = bit('Beaches, dunes, sands')
const INLAND_WETLANDS = bit('Inland wetlands')
const COASTAL_WETLANDS = bit('Coastal wetlands')
const INLAND_WATERS = bit('Inland waters')
const MARINE_WATERS = bit('Marine waters')

/** Classes whose areas are cut into rectangular parcels. */
const IS_FIELD = new Uint8Array(CLASS_COUNT)
for (const c of [ARABLE, PERMANENT_CROPS, PASTURES, COMPLEX, AGRI_NATURAL]) IS_FIELD[c] = 1

/**
 * Land cover a patch may show without having its label: CORINE's minimum mapping unit is 25 ha, a sixth
 * of a patch, so a wood, a meadow, a hamlet or a pond smaller than that is not in the label set.
 */
const UNLABELLED = [URBAN, ARABLE, PASTURES, COMPLEX, BROADLEAF_FOREST, CONIFEROUS_FOREST, MIXED_FOREST, TRANSITIONAL, GRASSLAND, INLAND_WATERS] as const

/**
 * The class whose signatures a class is painted with on about one patch in five: CORINE labels land use
 * at 100 m and date from 2018, so a pasture can look like a field, a young stand like scrub, a clear-cut
 * conifer stand like transitional woodland (the layout and mixing still follow the labelled class).
 */
const LOOK_ALIKE = Int8Array.from({ length: CLASS_COUNT }, (_, c) => c)
for (const [c, like] of [
  [ARABLE, PASTURES], [PASTURES, ARABLE], [COMPLEX, PASTURES], [AGRI_NATURAL, TRANSITIONAL], [BROADLEAF_FOREST, TRANSITIONAL],
  [CONIFEROUS_FOREST, MIXED_FOREST], [MIXED_FOREST, CONIFEROUS_FOREST], [TRANSITIONAL, BROADLEAF_FOREST], [GRASSLAND, PASTURES],
  [MOORS, GRASSLAND], [PERMANENT_CROPS, AGRO_FORESTRY], [AGRO_FORESTRY, PERMANENT_CROPS], [INLAND_WETLANDS, GRASSLAND],
  [URBAN, INDUSTRIAL], [INDUSTRIAL, URBAN],
] as const) LOOK_ALIKE[c] = like
const LOOK_ALIKE_SHARE = 0.2

/** Typical share of a patch a class covers when present (relative), before per-patch variation. */
const AREA_PRIOR = new Float32Array(CLASS_COUNT)
for (const [c, w] of [
  [URBAN, 0.45], [INDUSTRIAL, 0.35], [ARABLE, 1], [PERMANENT_CROPS, 0.55], [PASTURES, 0.8], [COMPLEX, 0.7],
  [AGRI_NATURAL, 0.6], [AGRO_FORESTRY, 0.9], [BROADLEAF_FOREST, 0.8], [CONIFEROUS_FOREST, 1], [MIXED_FOREST, 0.9],
  [GRASSLAND, 0.55], [MOORS, 0.6], [TRANSITIONAL, 0.6], [BEACHES, 0.2], [INLAND_WETLANDS, 0.45],
  [COASTAL_WETLANDS, 0.45], [INLAND_WATERS, 0.4], [MARINE_WATERS, 1],
] as const) AREA_PRIOR[c] = w

/** How much of a class snow covers on a snowy patch (trees hide it; towns clear it). */
const SNOW_COVER = new Float32Array(CLASS_COUNT).fill(0.95)
for (const [c, k] of [
  [URBAN, 0.7], [INDUSTRIAL, 0.75], [BROADLEAF_FOREST, 0.55], [CONIFEROUS_FOREST, 0.3], [MIXED_FOREST, 0.4],
  [TRANSITIONAL, 0.65], [AGRO_FORESTRY, 0.85], [COASTAL_WETLANDS, 0.6], [MARINE_WATERS, 0],
] as const) SNOW_COVER[c] = k

/** Per-pixel brightness texture of a class (canopy crowns, roofs, …), relative amplitude. */
const TEXTURE = new Float32Array(CLASS_COUNT).fill(0.08)
for (const [c, t] of [
  [URBAN, 0.35], [INDUSTRIAL, 0.25], [ARABLE, 0.05], [PASTURES, 0.05], [BROADLEAF_FOREST, 0.25],
  [CONIFEROUS_FOREST, 0.3], [MIXED_FOREST, 0.28], [TRANSITIONAL, 0.2], [INLAND_WATERS, 0.03], [MARINE_WATERS, 0.02],
] as const) TEXTURE[c] = t

/** Relative relief of a country's patches (terrain shading in the Alps and the Balkans), before variation. */
const RELIEF: Readonly<Record<string, number>> = {
  Austria: 0.5, Switzerland: 0.55, Kosovo: 0.4, Serbia: 0.2, Portugal: 0.2, Ireland: 0.1, Luxembourg: 0.12,
  Belgium: 0.06, Lithuania: 0.04, Finland: 0.06,
}

/** Band layout: for each of the 12 bands its raster side and its index among the signature bands. */
const BAND_SIDE = BIGEARTHNET_BANDS.map((b) => (SIDE * 10) / BAND_RESOLUTION_M[b])
const SIGNATURE_INDEX = BIGEARTHNET_BANDS.map((b) => SIGNATURE_BANDS.indexOf(b as (typeof SIGNATURE_BANDS)[number]))
/** Positions of the four 10 m bands in BIGEARTHNET_BANDS. */
const FINE_BANDS = BAND_SIDE.flatMap((side, i) => (side === SIDE ? [i] : []))
/** Scratch rasters of the 10 m scene, reused by every call (the generator is synchronous). */
const classMap = new Uint8Array(PIXELS)
/** Weight of the class's base signature (brightness × snow-free share), and of its two mixing terms. */
const weight0 = new Float32Array(PIXELS)
const weight1 = new Float32Array(PIXELS)
const weight2 = new Float32Array(PIXELS)
const snowMap = new Float32Array(PIXELS)
/**
 * A coarse grid's view of the scene: per coarse pixel, one entry per class it contains with the summed
 * weights of that class's 10 m pixels, and the summed snow. A band of that grid is then a short sum per
 * pixel instead of 4 or 36 signature evaluations (bands are linear in the weights).
 */
class CoarseGrid {
  readonly side: number
  readonly count: number
  readonly start: Int32Array
  readonly entryClass = new Uint8Array(PIXELS)
  readonly entry0 = new Float32Array(PIXELS)
  readonly entry1 = new Float32Array(PIXELS)
  readonly entry2 = new Float32Array(PIXELS)
  readonly snow: Float32Array
  private readonly slot = new Int32Array(32).fill(-1)

  constructor(readonly factor: number) {
    this.side = SIDE / factor
    this.count = this.side * this.side
    this.start = new Int32Array(this.count + 1)
    this.snow = new Float32Array(this.count)
  }

  /** Aggregates the 10 m scene (a grid of factor 1 with one entry per pixel) or a finer grid. */
  build(source: CoarseGrid | null): void {
    const ratio = source ? this.factor / source.factor : this.factor
    const sourceSide = source ? source.side : SIDE
    const { slot, entryClass, entry0, entry1, entry2, start } = this
    const sourceStart = source?.start
    const sourceClass = source ? source.entryClass : classMap
    const source0 = source ? source.entry0 : weight0
    const source1 = source ? source.entry1 : weight1
    const source2 = source ? source.entry2 : weight2
    const sourceSnow = source ? source.snow : snowMap
    let n = 0
    for (let q = 0, qy = 0; qy < this.side; qy++) {
      for (let qx = 0; qx < this.side; qx++, q++) {
        const first = n
        start[q] = first
        let snow = 0
        for (let dy = 0; dy < ratio; dy++) {
          const row = (qy * ratio + dy) * sourceSide + qx * ratio
          for (let r = row; r < row + ratio; r++) {
            snow += sourceSnow[r]!
            const end = sourceStart ? sourceStart[r + 1]! : r + 1
            for (let k = sourceStart ? sourceStart[r]! : r; k < end; k++) {
              const c = sourceClass[k]!
              let e = slot[c]!
              if (e < 0) {
                e = n++
                slot[c] = e
                entryClass[e] = c
                entry0[e] = 0
                entry1[e] = 0
                entry2[e] = 0
              }
              entry0[e]! += source0[k]!
              entry1[e]! += source1[k]!
              entry2[e]! += source2[k]!
            }
          }
        }
        for (let e = first; e < n; e++) slot[entryClass[e]!] = -1
        this.snow[q] = snow
      }
    }
    start[this.count] = n
  }
}

const grid20 = new CoarseGrid(2)
const grid60 = new CoarseGrid(6)

/** Per band and class: base signature E0, and E1 − E0, E2 − E0 (reflectance). */
const base = new Float32Array(SIGNATURE_BANDS.length * 32)
const delta1 = new Float32Array(SIGNATURE_BANDS.length * 32)
const delta2 = new Float32Array(SIGNATURE_BANDS.length * 32)

/**
 * Value noise: random values on a coarse lattice, smoothly (smoothstep) interpolated. Sampled row by row
 * at the pixel centres: `setRow` interpolates the lattice down to one row, `at` along it (no allocation).
 */
class ValueNoise {
  private readonly values: Float32Array
  private readonly stride: number
  private readonly spacing: number
  /** Per pixel column: lattice column and smoothstep weight. */
  private readonly column: Int32Array
  private readonly weight: Float32Array
  private readonly row: Float32Array

  constructor(rng: ReturnType<typeof patchRng>, spacing: number, lo: number, hi: number) {
    this.spacing = spacing
    this.stride = Math.ceil(SIDE / spacing) + 2
    this.values = new Float32Array(this.stride * this.stride)
    for (let i = 0; i < this.values.length; i++) this.values[i] = between(rng, lo, hi)
    this.column = new Int32Array(SIDE)
    this.weight = new Float32Array(SIDE)
    for (let x = 0; x < SIDE; x++) {
      const g = (x + 0.5) / spacing
      const f = g - Math.floor(g)
      this.column[x] = Math.floor(g)
      this.weight[x] = f * f * (3 - 2 * f)
    }
    this.row = new Float32Array(this.stride)
  }

  /** Interpolates the lattice to pixel row y. */
  setRow(y: number): void {
    const g = (y + 0.5) / this.spacing
    const iy = Math.floor(g)
    let f = g - iy
    f = f * f * (3 - 2 * f)
    const top = iy * this.stride
    for (let j = 0; j < this.stride; j++) {
      const a = this.values[top + j]!
      this.row[j] = a + f * (this.values[top + this.stride + j]! - a)
    }
  }

  /** The value at any point (x, y) in pixels; for sparse samples (the row form is faster for a raster). */
  valueAt(x: number, y: number): number {
    const gx = x / this.spacing
    const gy = y / this.spacing
    const ix = Math.floor(gx)
    const iy = Math.floor(gy)
    let fx = gx - ix
    let fy = gy - iy
    fx = fx * fx * (3 - 2 * fx)
    fy = fy * fy * (3 - 2 * fy)
    const i = iy * this.stride + ix
    const a = this.values[i]!
    const b = this.values[i + 1]!
    const c = this.values[i + this.stride]!
    const d = this.values[i + this.stride + 1]!
    const top = a + fx * (b - a)
    return top + fy * (c + fx * (d - c) - top)
  }

  /** The value at pixel column x of the current row. */
  at(x: number): number {
    const i = this.column[x]!
    const a = this.row[i]!
    return a + this.weight[x]! * (this.row[i + 1]! - a)
  }
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v
}

/** How a reddening of soil (iron oxides) changes it per signature band: less blue, more red and red edge. */
const SOIL_REDNESS = Float32Array.from([-0.3, -0.3, 0, 0.5, 0.4, 0.3, 0.2, 0.1, 0.1, 0.1, 0, 0])
/** Per signature band, the weight of the visible (vs NIR) factor of a class's spectral tilt; B11/B12 take the SWIR one. */
const VISIBLE_WEIGHT = Float32Array.from([1, 1, 1, 1, 0.7, 0.35, 0.1, 0, 0, 0, 0, 0])

/**
 * The three signatures each class of a patch is mixed from, for its season and country, varied as real
 * land cover varies: soil colour and brightness per region (the tile), and per patch and class a
 * brightness and a spectral tilt (visible, NIR, SWIR: species, cultivar, soil moisture, roof material,
 * water colour), all under one illumination gain of the patch (sun elevation, view angle, slope setting).
 */
function setSignatures(classes: readonly number[], season: SeasonState, country: string, variation: ReturnType<typeof patchRng>, region: number): void {
  const regionalSoil = new Float32Array(SIGNATURE_BANDS.length)
  const soilBrightness = (0.75 + 0.5 * unit(hash2(region, 1))) * between(variation, 0.9, 1.1)
  const soilRedness = (unit(hash2(region, 2)) - 0.5) * 0.5 + between(variation, -0.1, 0.1)
  for (let b = 0; b < regionalSoil.length; b++) regionalSoil[b] = SOIL[b]! * soilBrightness * (1 + soilRedness * SOIL_REDNESS[b]!)
  const soil = scaleSignature(regionalSoil, 1 - 0.35 * season.soilWetness, 1 - 0.5 * season.soilWetness)
  const gain = between(variation, 0.82, 1.18)
  const seasonalGrass = mixSignatures(DRY_VEGETATION, GRASS, season.grass)
  const broadleaf = mixSignatures(BROADLEAF_LEAF_OFF, BROADLEAF, season.leafOn)
  const roofs = country === 'Portugal' || country === 'Kosovo' ? mixSignatures(ROOFS, TILE_ROOFS, 0.7) : ROOFS
  const clearing = mixSignatures(soil, DRY_VEGETATION, 0.5)
  const evergreenOak = scaleSignature(BROADLEAF, 0.8, 0.9)
  for (const c of classes) {
    let e0: Signature = soil
    let e1: Signature = GREEN_CROP
    let e2: Signature = DRY_VEGETATION
    switch (uniform(variation) < LOOK_ALIKE_SHARE ? LOOK_ALIKE[c]! : c) {
      case URBAN: [e0, e1, e2] = [ASPHALT, roofs, seasonalGrass]; break
      case INDUSTRIAL: [e0, e1, e2] = [ASPHALT, INDUSTRIAL_ROOFS, seasonalGrass]; break
      case ARABLE: case COMPLEX: break
      case PERMANENT_CROPS: [e0, e1, e2] = [scaleSignature(SOIL, 1.05), season.climate === 'mediterranean' ? evergreenOak : broadleaf, seasonalGrass]; break
      case PASTURES: [e0, e1, e2] = [soil, GRASS, DRY_VEGETATION]; break
      case AGRI_NATURAL: [e0, e1, e2] = [soil, mixSignatures(DRY_VEGETATION, GREEN_CROP, Math.max(season.grass, 0.2)), broadleaf]; break
      case AGRO_FORESTRY: [e0, e1, e2] = [soil, seasonalGrass, evergreenOak]; break
      case BROADLEAF_FOREST: [e0, e1, e2] = [BROADLEAF_LEAF_OFF, BROADLEAF, CONIFER]; break
      case CONIFEROUS_FOREST: [e0, e1, e2] = [clearing, CONIFER, broadleaf]; break
      case MIXED_FOREST: [e0, e1, e2] = [BROADLEAF_LEAF_OFF, BROADLEAF, CONIFER]; break
      case GRASSLAND: [e0, e1, e2] = [ROCK, GRASS, DRY_VEGETATION]; break
      case MOORS: [e0, e1, e2] = [scaleSignature(soil, 0.8), season.climate === 'mediterranean' ? mixSignatures(SHRUB, evergreenOak, 0.3) : SHRUB, DRY_VEGETATION]; break
      case TRANSITIONAL: [e0, e1, e2] = [clearing, seasonalGrass, mixSignatures(broadleaf, SHRUB, 0.5)]; break
      case BEACHES: [e0, e1, e2] = [SAND, seasonalGrass, TURBID_WATER]; break
      case INLAND_WETLANDS: [e0, e1, e2] = [TURBID_WATER, mixSignatures(DRY_VEGETATION, WET_VEGETATION, Math.max(season.grass, 0.15)), DRY_VEGETATION]; break
      case COASTAL_WETLANDS: [e0, e1, e2] = [TURBID_WATER, WET_VEGETATION, scaleSignature(SOIL, 0.6, 0.4)]; break
      case INLAND_WATERS: [e0, e1, e2] = [scaleSignature(CLEAR_WATER, between(variation, 0.7, 1.3)), TURBID_WATER, CLEAR_WATER]; break
      case MARINE_WATERS: [e0, e1, e2] = [SEA, TURBID_WATER, SEA]; break
    }
    // Per patch and class: brightness, and a tilt between the visible, the NIR and the SWIR.
    const k = gain * between(variation, 0.8, 1.2)
    const visible = between(variation, 0.85, 1.15)
    const nir = between(variation, 0.85, 1.15)
    const swir = between(variation, 0.85, 1.15)
    for (let b = 0; b < SIGNATURE_BANDS.length; b++) {
      const o = b * 32 + c
      const f = k * (b >= 10 ? swir : visible * VISIBLE_WEIGHT[b]! + nir * (1 - VISIBLE_WEIGHT[b]!))
      base[o] = e0[b]! * f
      delta1[o] = (e1[b]! - e0[b]!) * f
      delta2[o] = (e2[b]! - e0[b]!) * f
    }
  }
}

/** Voronoi seeds of the current patch: position, 1 / weight², class. */
const seedX = new Float64Array(MAX_SEEDS)
const seedY = new Float64Array(MAX_SEEDS)
const seedScale = new Float64Array(MAX_SEEDS)
const seedClass = new Uint8Array(MAX_SEEDS)

/** The nearest of the first `count` seeds to (px, py), distances divided by the seeds' weights. */
function nearestSeed(count: number, px: number, py: number): number {
  let best = Infinity
  let bestSeed = 0
  for (let k = 0; k < count; k++) {
    const dx = px - seedX[k]!
    const dy = py - seedY[k]!
    const d = (dx * dx + dy * dy) * seedScale[k]!
    if (d < best) {
      best = d
      bestSeed = k
    }
  }
  return bestSeed
}

/** Paints the 10 m land-cover scene of a patch into the scratch rasters. */
function paintScene(patch: DemoPatch, season: SeasonState, variation: ReturnType<typeof patchRng>, region: number): void {
  const rng = patchRng(patch.seed, patch.index, STREAM.layout)
  const key = hash2(patch.seed, patch.index)
  const labelled = bitsOf(patch.labelsMask)
  // Up to two patches of unlabelled land cover, each below the mapping unit (see UNLABELLED).
  const classes = [...labelled]
  const clutter = uniform(variation)
  for (let k = clutter < 0.25 ? 0 : clutter < 0.7 ? 1 : 2; k > 0; k--) {
    const c = UNLABELLED[Math.floor(uniform(variation) * UNLABELLED.length)]!
    if (!classes.includes(c)) classes.push(c)
  }
  setSignatures(classes, season, patch.country, variation, region)

  // Area weights, skewed as in BigEarthNet (a label is present if any part of the patch has it): one
  // dominant class, drawn by its prior; the others mostly minor (a few per cent up to a third, rarely more).
  let dominant = 0
  {
    const priorTotal = labelled.reduce((s, c) => s + AREA_PRIOR[c]!, 0)
    let pick = uniform(rng) * priorTotal
    for (let i = 0; i < labelled.length; i++) {
      pick -= AREA_PRIOR[labelled[i]!]!
      if (pick < 0) {
        dominant = i
        break
      }
    }
  }
  const weights = classes.map((c, i) => {
    const u = uniform(rng)
    if (i >= labelled.length) return 0.04 + 0.2 * u
    return i === dominant ? between(rng, 0.7, 1.3) : AREA_PRIOR[c]! * (0.025 + 0.9 * u * u * u)
  })
  // Voronoi seeds: each class gets one to three, farther reaching the heavier it is.
  const agSeeds: number[] = []
  const total = weights.reduce((a, b) => a + b, 0)
  const hasSea = classes.includes(MARINE_WATERS) && classes.length > 1
  const hasRiver = classes.includes(INLAND_WATERS) && classes.length > 1 && uniform(rng) < 0.45
  let seeds = 0
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i]!
    // The sea, a river and (on a coast) the beach are drawn as shapes of their own, not Voronoi cells.
    if ((c === MARINE_WATERS || c === BEACHES) && hasSea) continue
    if (c === INLAND_WATERS && hasRiver) continue
    const count = 1 + Math.floor(uniform(rng) * (weights[i]! > 0.6 ? 3 : 2))
    for (let k = 0; k < count && seeds < MAX_SEEDS; k++) {
      seedX[seeds] = between(rng, 0, SIDE)
      seedY[seeds] = between(rng, 0, SIDE)
      // Multiplicatively weighted Voronoi: distance divided by the class's weight per seed.
      const w = Math.sqrt(weights[i]! / count)
      seedScale[seeds] = 1 / (w * w)
      seedClass[seeds] = c
      if (IS_FIELD[c]) agSeeds.push(seeds)
      seeds++
    }
  }

  const warpX = new ValueNoise(rng, 24, -1, 1)
  const warpY = new ValueNoise(rng, 24, -1, 1)
  const detail = new ValueNoise(rng, 7, 0, 1)
  const coarse = new ValueNoise(rng, 30, 0, 1)
  const warpAmplitude = between(rng, 6, 14)

  // Field parcels: rows of height rowHeight, cut into fields of varying width, on a rotated grid.
  const fieldAngle = between(rng, 0, Math.PI / 2)
  const fieldCos = Math.cos(fieldAngle)
  const fieldSin = Math.sin(fieldAngle)
  const rowHeight = between(rng, 8, 18)
  const fieldWidth = between(rng, 14, 40)
  const fieldKey = hash2(key, 0xf1e1d)
  // Town blocks: a rotated grid of 60–100 m blocks separated by 10 m streets (industrial blocks twice as big).
  const townAngle = between(rng, 0, Math.PI / 2)
  const townCos = Math.cos(townAngle)
  const townSin = Math.sin(townAngle)
  const blockSize = between(rng, 6, 10)
  const townKey = hash2(key, 0x70e)
  // Coast: the sea fills a half-plane with a wavy edge, sized by its weight; beaches line it.
  const seaShare = hasSea ? weights[classes.indexOf(MARINE_WATERS)]! / total : 0
  const seaAngle = between(rng, 0, 2 * Math.PI)
  const seaCos = Math.cos(seaAngle)
  const seaSin = Math.sin(seaAngle)
  const seaOffset = (1 - 2 * seaShare) * 60 * (Math.abs(seaCos) + Math.abs(seaSin))
  const beachWidth = classes.includes(BEACHES) ? between(rng, 2, 5) : 0
  // River: a meandering band across the patch.
  const riverAngle = between(rng, 0, Math.PI)
  const riverCos = Math.cos(riverAngle)
  const riverSin = Math.sin(riverAngle)
  const riverCentre = between(rng, -35, 35)
  const riverHalfWidth = between(rng, 1.2, 5)
  const meander = new Float32Array(200)
  const meanderAmplitude = between(rng, 5, 20)
  const meanderFrequency = between(rng, 0.02, 0.06)
  const meanderPhase = between(rng, 0, 2 * Math.PI)
  for (let i = 0; i < meander.length; i++) meander[i] = riverCentre + meanderAmplitude * Math.sin((i - 100) * meanderFrequency + meanderPhase)

  const turbidity = between(variation, 0, 1)
  // Forest canopy closure of the patch (stand density, thinning).
  const canopy = between(variation, 0.75, 1)
  const relief = (RELIEF[patch.country] ?? 0.1) * between(rng, 0.2, 1.2) * (patch.month <= 2 || patch.month >= 11 ? 1.5 : 1)
  const snowAmount = patch.snow ? between(rng, 0.55, 1) : 0
  const frozenWater = season.climate === 'boreal' || patch.country === 'Lithuania'
  const crops = season.crops
  const cropCount = season.cropCount
  const grass = season.grass
  const leafOn = season.leafOn
  const treeDensity = between(rng, 0.2, 0.45)
  // Low winter sun in the north: tree crowns shade most of the canopy and the ground between them.
  const shade = new Float32Array(CLASS_COUNT).fill(1)
  if (season.climate === 'boreal' && (patch.month >= 11 || patch.month <= 2)) {
    for (const c of [BROADLEAF_FOREST, CONIFEROUS_FOREST, MIXED_FOREST, TRANSITIONAL]) shade[c] = 0.75
  }
  const clearCutLevel = between(rng, 0.75, 0.95)

  // Voronoi on the corners of 4 × 4 blocks first: a block whose four corners agree takes their seed
  // without a search per pixel (cells are large and smooth, so this misses nothing visible).
  const corners = new Int8Array(CORNERS * CORNERS)
  for (let j = 0; j < CORNERS; j++) {
    for (let i = 0; i < CORNERS; i++) {
      const cx = BLOCK * i + 0.5
      const cy = BLOCK * j + 0.5
      corners[j * CORNERS + i] = nearestSeed(seeds, cx + warpAmplitude * warpX.valueAt(cx, cy), cy + warpAmplitude * warpY.valueAt(cx, cy))
    }
  }
  let fineState = hash2(key, 0xf17e) | 1
  let lastRow = NaN
  let rowHash = 0
  let lastParcelRow = NaN
  let lastParcelCol = NaN
  let parcelHash = 0
  let parcelClass = 0

  for (let y = 0; y < SIDE; y++) {
    const cy = y + 0.5
    warpX.setRow(y)
    warpY.setRow(y)
    detail.setRow(y)
    coarse.setRow(y)
    for (let x = 0; x < SIDE; x++) {
      const cx = x + 0.5
      const p = y * SIDE + x
      const wx = warpX.at(x)
      const wy = warpY.at(x)
      const px = cx + warpAmplitude * wx
      const py = cy + warpAmplitude * wy
      let c = classes[0]!
      if (seeds > 1) {
        const corner = (y >> 2) * CORNERS + (x >> 2)
        const s0 = corners[corner]!
        const uniformBlock = s0 === corners[corner + 1] && s0 === corners[corner + CORNERS] && s0 === corners[corner + CORNERS + 1]
        c = seedClass[uniformBlock ? s0 : nearestSeed(seeds, px, py)]!
      } else if (seeds === 1) {
        c = seedClass[0]!
      }
      if (hasSea) {
        const t = (cx - 60) * seaCos + (cy - 60) * seaSin + 12 * wy
        if (t > seaOffset) c = MARINE_WATERS
        else if (beachWidth > 0 && t > seaOffset - beachWidth) c = BEACHES
      }
      if (hasRiver) {
        const along = (cx - 60) * riverCos + (cy - 60) * riverSin
        const across = -(cx - 60) * riverSin + (cy - 60) * riverCos
        const centre = meander[Math.min(199, Math.max(0, (along + 100) | 0))]! + 4 * wx
        if (Math.abs(across - centre) < riverHalfWidth) c = INLAND_WATERS
      }

      const n = detail.at(x)
      fineState ^= fineState << 13
      fineState ^= fineState >>> 17
      fineState ^= fineState << 5
      const fine = (fineState >>> 8) / 16777216
      let a = 0
      let b = 0
      let bright = shade[c]! * (1 + TEXTURE[c]! * (fine - 0.5))

      if (IS_FIELD[c]) {
        // Which parcel: rows across the rotated grid, fields of per-row width with staggered ends.
        const u = cx * fieldCos + cy * fieldSin
        const v = -cx * fieldSin + cy * fieldCos + 200
        const row = Math.floor(v / rowHeight)
        if (row !== lastRow) {
          lastRow = row
          rowHash = hash2(fieldKey, row)
        }
        const width = fieldWidth * (0.5 + (rowHash & 0xff) / 255)
        const shifted = u + 200 + ((rowHash >>> 8) & 0xff) * 0.25
        const col = Math.floor(shifted / width)
        const fu = shifted - col * width
        const fv = v - row * rowHeight
        if (row !== lastParcelRow || col !== lastParcelCol) {
          lastParcelRow = row
          lastParcelCol = col
          parcelHash = hash3(fieldKey, row, col)
          // Fields of several agricultural classes: the class of the parcel is the one nearest its centre.
          parcelClass = c
          if (agSeeds.length > 1) {
            const uc = (col + 0.5) * width - 200 - ((rowHash >>> 8) & 0xff) * 0.25
            const vc = (row + 0.5) * rowHeight - 200
            const xc = uc * fieldCos - vc * fieldSin
            const yc = uc * fieldSin + vc * fieldCos
            let bestAg = Infinity
            for (let j = 0; j < agSeeds.length; j++) {
              const k = agSeeds[j]!
              const dx = xc - seedX[k]!
              const dy = yc - seedY[k]!
              const d = (dx * dx + dy * dy) * seedScale[k]!
              if (d < bestAg) {
                bestAg = d
                parcelClass = seedClass[k]!
              }
            }
          }
        }
        c = parcelClass
        let parcel = parcelHash
        // Small-parcel classes split each field into 2 × 2 or 3 × 2 plots.
        if (c === COMPLEX || c === PERMANENT_CROPS) {
          const splits = c === COMPLEX ? 3 : 2
          parcel = hash3(parcel, Math.floor((fu / width) * splits), Math.floor((fv / rowHeight) * 2))
        }
        const h1 = (parcel & 0xffff) / 65536
        const h2 = (parcel >>> 16) / 65536
        // Each field its own soil and tillage brightness.
        bright *= 0.85 + ((parcel >>> 7) & 0xff) / 850
        const edge = fu < 1 || fv < 1
        if (edge && (rowHash & 0x100) !== 0) {
          // Grass strips and tracks between fields.
          a = 0.5 * grass + 0.1
          b = 0.25
        } else if (c === ARABLE || (c === COMPLEX && h2 < 0.6)) {
          const crop = Math.floor(h1 * cropCount)
          a = clamp01(crops[2 * crop]! + (h2 - 0.5) * 0.3 + (n - 0.5) * 0.12)
          b = clamp01(crops[2 * crop + 1]! * (1 - a))
        } else if (c === PASTURES || c === COMPLEX) {
          const mown = h1 < 0.25
          a = clamp01(grass * (mown ? 0.55 : 0.9 + 0.2 * h2) + (n - 0.5) * 0.1) * 0.75
          b = (1 - a) * (mown ? 0.6 : 0.4)
          if (c === COMPLEX) a *= 1.3
        } else if (c === PERMANENT_CROPS) {
          a = clamp01((0.3 + 0.35 * h1) * (0.8 + 0.4 * fine))
          b = (1 - a) * (0.2 + 0.5 * h2)
        } else {
          // Agriculture with natural vegetation: some parcels are woods and scrub.
          if (h1 < 0.4) {
            a = 0.15
            b = clamp01(0.7 + 0.3 * n)
          } else {
            a = clamp01(0.3 + 0.6 * h2 + (n - 0.5) * 0.2)
          }
        }
      } else if (c === URBAN || c === INDUSTRIAL) {
        const scale = c === INDUSTRIAL ? blockSize * 2 : blockSize
        const u = cx * townCos + cy * townSin + 300
        const v = -cx * townSin + cy * townCos + 300
        const bu = Math.floor(u / scale)
        const bv = Math.floor(v / scale)
        const street = u - bu * scale < 1 || v - bv * scale < 1
        const block = hash3(townKey, bu, bv)
        if (street) {
          a = 0.05
          b = 0.1
        } else if (c === URBAN) {
          // Houses and gardens; some blocks are parks.
          const park = (block & 0xff) < 20
          a = park ? 0.05 : 0.3 + 0.6 * fine
          b = 1 - a
          bright *= 0.85 + ((block >>> 8) & 0xff) / 850
        } else {
          const yard = (block & 0xff) < 64
          a = yard ? 0.15 : 0.9
          b = 0.05
          bright *= 0.75 + ((block >>> 8) & 0xff) / 500
        }
      } else if (c === BROADLEAF_FOREST) {
        a = clamp01(leafOn * canopy * (0.9 + 0.25 * (n - 0.5)))
      } else if (c === CONIFEROUS_FOREST) {
        a = coarse.at(x) > clearCutLevel ? 0.1 : clamp01(canopy * 0.85 + 0.3 * (n - 0.5))
        b = (1 - a) * 0.3 * leafOn
      } else if (c === MIXED_FOREST) {
        const coniferShare = clamp01((n - 0.5) * 1.6 + 0.5)
        b = coniferShare * canopy
        a = (1 - coniferShare) * leafOn * canopy
      } else if (c === TRANSITIONAL) {
        b = clamp01(n * 1.2 - 0.1)
        a = (1 - b) * 0.7
      } else if (c === AGRO_FORESTRY) {
        // Scattered evergreen oaks (20 m crowns) over grassland: Portuguese montado.
        const tree = (hash2(key ^ 0xa9, (y >> 1) * 60 + (x >> 1)) >>> 8) / 16777216 < treeDensity
        b = tree ? 0.85 : 0
        a = tree ? 0.1 : clamp01(0.6 + 0.4 * n)
      } else if (c === GRASSLAND) {
        const cover = clamp01(n * 1.3 - 0.1)
        a = cover * grass
        b = cover * (1 - grass)
      } else if (c === MOORS) {
        a = clamp01(0.55 + 0.4 * n)
        b = (1 - a) * 0.5
      } else if (c === BEACHES) {
        a = 0.15 * n * grass
        b = n < 0.25 ? 0.3 : 0
      } else if (c === INLAND_WETLANDS || c === COASTAL_WETLANDS) {
        const water = clamp01((n - 0.55) * 3)
        const vegetation = 1 - water
        a = vegetation * (c === INLAND_WETLANDS ? 0.8 : grass)
        b = vegetation - a
      } else if (c === INLAND_WATERS) {
        a = clamp01(turbidity * (0.5 + coarse.at(x)))
      } else if (c === MARINE_WATERS) {
        a = 0.2 * coarse.at(x) * turbidity
      }

      // Terrain shading: the warp field doubles as a smooth slope.
      bright *= 1 + relief * 0.5 * wx
      let s = 0
      if (snowAmount > 0) {
        let cover = SNOW_COVER[c]!
        // Lakes and bogs freeze under the snow in the north; the Baltic freezes along the Finnish coast.
        if ((c === INLAND_WATERS || c === INLAND_WETLANDS) && !frozenWater) cover = 0
        if (c === MARINE_WATERS && season.climate === 'boreal') cover = 0.9
        s = cover * clamp01(snowAmount + 0.8 * (coarse.at(x) - 0.5))
      }
      const w = bright * (1 - s)
      classMap[p] = c
      weight0[p] = w
      weight1[p] = w * a
      weight2[p] = w * b
      snowMap[p] = s
    }
  }
}

/** How one band is rendered: its signature band, snow reflectance, haze, noise half-range (DN), noise seed. */
interface BandRecipe {
  si: number
  snow: number
  haze: number
  noise: number
  noiseSeed: number
}

/**
 * The four 10 m bands in one pass over the scene (each pixel's weights are read once): signatures per
 * pixel, plus haze and triangular sensor noise (two uniforms from a per-band xorshift32 stream).
 */
function renderFineBands(recipes: readonly BandRecipe[]): Uint16Array[] {
  const [r0, r1, r2, r3] = recipes as [BandRecipe, BandRecipe, BandRecipe, BandRecipe]
  const out = [new Uint16Array(PIXELS), new Uint16Array(PIXELS), new Uint16Array(PIXELS), new Uint16Array(PIXELS)] as const
  const [out0, out1, out2, out3] = out
  const classes = classMap
  const w0 = weight0
  const w1 = weight1
  const w2 = weight2
  const snowCover = snowMap
  const e0 = base
  const d1 = delta1
  const d2 = delta2
  const o0 = r0.si * 32
  const o1 = r1.si * 32
  const o2 = r2.si * 32
  const o3 = r3.si * 32
  const offset0 = r0.haze * 10000 + 0.5 - r0.noise
  const offset1 = r1.haze * 10000 + 0.5 - r1.noise
  const offset2 = r2.haze * 10000 + 0.5 - r2.noise
  const offset3 = r3.haze * 10000 + 0.5 - r3.noise
  const scale0 = r0.noise / 65536
  const scale1 = r1.noise / 65536
  const scale2 = r2.noise / 65536
  const scale3 = r3.noise / 65536
  let s0 = r0.noiseSeed | 1
  let s1 = r1.noiseSeed | 1
  let s2 = r2.noiseSeed | 1
  let s3 = r3.noiseSeed | 1
  for (let p = 0; p < PIXELS; p++) {
    const c = classes[p]!
    const a = w0[p]!
    const b = w1[p]!
    const d = w2[p]!
    const snow = snowCover[p]!
    s0 ^= s0 << 13
    s0 ^= s0 >>> 17
    s0 ^= s0 << 5
    s1 ^= s1 << 13
    s1 ^= s1 >>> 17
    s1 ^= s1 << 5
    s2 ^= s2 << 13
    s2 ^= s2 >>> 17
    s2 ^= s2 << 5
    s3 ^= s3 << 13
    s3 ^= s3 >>> 17
    s3 ^= s3 << 5
    let k = c + o0
    let dn = (e0[k]! * a + d1[k]! * b + d2[k]! * d + r0.snow * snow) * 10000 + offset0 + scale0 * ((s0 >>> 16) + (s0 & 0xffff))
    out0[p] = dn < 0 ? 0 : dn > 65535 ? 65535 : dn
    k = c + o1
    dn = (e0[k]! * a + d1[k]! * b + d2[k]! * d + r1.snow * snow) * 10000 + offset1 + scale1 * ((s1 >>> 16) + (s1 & 0xffff))
    out1[p] = dn < 0 ? 0 : dn > 65535 ? 65535 : dn
    k = c + o2
    dn = (e0[k]! * a + d1[k]! * b + d2[k]! * d + r2.snow * snow) * 10000 + offset2 + scale2 * ((s2 >>> 16) + (s2 & 0xffff))
    out2[p] = dn < 0 ? 0 : dn > 65535 ? 65535 : dn
    k = c + o3
    dn = (e0[k]! * a + d1[k]! * b + d2[k]! * d + r3.snow * snow) * 10000 + offset3 + scale3 * ((s3 >>> 16) + (s3 & 0xffff))
    out3[p] = dn < 0 ? 0 : dn > 65535 ? 65535 : dn
  }
  return [...out]
}

/**
 * A 20 m or 60 m band: the area average of the 10 m scene over each 2 × 2 or 6 × 6 block (from the
 * coarse grid's per-class sums), plus haze and triangular sensor noise of half-range `noise` (DN).
 */
function renderCoarseBand(si: number, side: number, snow: number, haze: number, noise: number, noiseSeed: number): Uint16Array {
  const o = si * 32
  const data = new Uint16Array(side * side)
  // Local aliases: V8 keeps them in registers; module bindings are reloaded (and hole-checked) per use.
  const e0 = base
  const d1 = delta1
  const d2 = delta2
  const offset = haze * 10000 + 0.5 - noise
  const scale = noise / 65536 // two 16-bit uniforms summed: 0 … 2·noise
  let state = noiseSeed | 1
  // Area average over each coarse pixel's block of 10 m pixels, class by class.
  const grid = side === SIDE / 2 ? grid20 : grid60
  const toDn = 10000 / (grid.factor * grid.factor)
  const { start, entryClass, entry0, entry1, entry2 } = grid
  for (let q = 0; q < grid.count; q++) {
    let sum = snow * grid.snow[q]!
    const end = start[q + 1]!
    for (let e = start[q]!; e < end; e++) {
      const c = entryClass[e]! + o
      sum += e0[c]! * entry0[e]! + d1[c]! * entry1[e]! + d2[c]! * entry2[e]!
    }
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    const dn = sum * toDn + offset + scale * ((state >>> 16) + (state & 0xffff))
    data[q] = dn < 0 ? 0 : dn > 65535 ? 65535 : dn
  }
  return data
}

/** Turns the scene into the 12 bands, in BigEarthNet's band order. */
function renderBands(patch: DemoPatch): Map<BandName, DemoBand> {
  const rng = patchRng(patch.seed, patch.index, STREAM.bandNoise)
  // Residual haze of the atmospheric correction: a little extra blue, less at longer wavelengths.
  const haze = between(rng, 0, 0.03)
  const snowBrightness = between(rng, 0.8, 1)
  // Residuals of the atmospheric correction per band (aerosol model, water vapour in B09).
  const recipes = BIGEARTHNET_BANDS.map((_, i): BandRecipe => {
    const si = SIGNATURE_INDEX[i]!
    return {
      si,
      snow: SNOW[si]! * (si < 10 ? snowBrightness : 1),
      haze: haze * Math.max(0, 1 - si * 0.15) + between(rng, -0.002, 0.002) * (si === 9 ? 3 : 1),
      // Triangular noise (sum of two uniforms) of standard deviation 0.25 / SNR in reflectance.
      noise: (0.25 / SENSOR_SNR[si]!) * 10000 * Math.sqrt(6),
      noiseSeed: hash3(patch.seed, patch.index, 0xb0 + i),
    }
  })
  const data = new Array<Uint16Array>(BIGEARTHNET_BANDS.length)
  const fine = FINE_BANDS.map((i) => recipes[i]!)
  renderFineBands(fine).forEach((d, j) => (data[FINE_BANDS[j]!] = d))
  grid20.build(null)
  grid60.build(grid20)
  const bands = new Map<BandName, DemoBand>()
  BIGEARTHNET_BANDS.forEach((band, i) => {
    const side = BAND_SIDE[i]!
    const r = recipes[i]!
    const raster = side === SIDE ? data[i]! : renderCoarseBand(r.si, side, r.snow, r.haze, r.noise, r.noiseSeed)
    bands.set(band, { width: side, height: side, data: raster, resolution: BAND_RESOLUTION_M[band] })
  })
  return bands
}

/** The simulated bands of a demo patch whose metadata is known (what demoPixels does after demoPatch). */
export function renderDemoPatch(patch: DemoPatch): Map<BandName, DemoBand> {
  const variation = patchRng(patch.seed, patch.index, STREAM.variation)
  const region = hashString(patch.seed, patch.tile)
  // The season runs earlier or later with latitude and altitude within a country (per tile) and year to year.
  const shift = 24 * (unit(hash2(region, 3)) - 0.5) + between(variation, -8, 8)
  const day = (((Math.round(patch.dayOfYear + shift) - 1) % 365) + 365) % 365 + 1
  paintScene(patch, seasonState(patch.country, day), variation, region)
  return renderBands(patch)
}

/**
 * The 12 simulated Sentinel-2 bands of patch `index` of the demo archive of `seed`, in BigEarthNet's
 * band order and sizes (B02/B03/B04/B08 120×120, B05/B06/B07/B8A/B11/B12 60×60, B01/B09 20×20; UInt16
 * reflectance × 10000). Simulated imagery: identical on every call, generated in about a millisecond.
 */
export function demoPixels(seed: number, index: number): Map<BandName, DemoBand> {
  return renderDemoPatch(demoPatch(seed, index))
}
