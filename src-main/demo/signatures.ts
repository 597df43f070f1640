/**
 * Surface-reflectance signatures of the land-cover materials the simulated archive is painted with, in the
 * 12 Sentinel-2 bands of BigEarthNet (B01, B02, B03, B04, B05, B06, B07, B08, B8A, B09, B11, B12; central
 * wavelengths 443, 490, 560, 665, 705, 740, 783, 842, 865, 945, 1610, 2190 nm), as L2A reflectance (0–1).
 *
 * The values are rounded, hand-tuned means, not copies of any one measurement. They are read off and kept
 * consistent with:
 * - ESA, Sentinel-2 User Handbook (ESA Standard Document, 2015): band centres, widths, resolutions, and the
 *   MSI signal-to-noise requirements at reference radiance (SENSOR_SNR below).
 * - Kokaly, R.F., et al. (2017), USGS Spectral Library Version 7, U.S. Geological Survey Data Series 1035,
 *   doi:10.3133/ds1035: its spectra convolved to Sentinel-2 MSI for green and dry vegetation, soils, sand,
 *   rock, water and snow.
 * - Meerdink, S.K., et al. (2019), The ECOSTRESS spectral library version 1.0, Remote Sensing of
 *   Environment 230, 111196, doi:10.1016/j.rse.2019.05.015: man-made materials (asphalt, concrete, roofing),
 *   soils, non-photosynthetic vegetation.
 * - Herold, M., et al. (2004), Spectrometry for urban area remote sensing, Remote Sensing of Environment
 *   91, 304–319, doi:10.1016/j.rse.2004.02.013: roofs and roads are bright-to-dark and spectrally flat.
 * - Immitzer, M., Vuolo, F., Atzberger, C. (2016), First experience with Sentinel-2 data for crop and tree
 *   species classifications in Central Europe, Remote Sensing 8(3), 166, doi:10.3390/rs8030166, and
 *   Grabska, E., et al. (2019), Forest stand species mapping using the Sentinel-2 time series, Remote
 *   Sensing 11(10), 1197, doi:10.3390/rs11101197: mean S2 reflectances of coniferous and broad-leaved
 *   stands and crops (conifers clearly darker in the red edge and NIR; leaf-off broad-leaved stands in winter).
 * - Toming, K., et al. (2016), First experiences in mapping lake water quality parameters with Sentinel-2
 *   MSI imagery, Remote Sensing 8(8), 640, doi:10.3390/rs8080640: lake reflectance (a few per cent in the
 *   visible, near zero beyond 800 nm; higher in green/red when turbid).
 * - Gascoin, S., et al. (2019), Theia Snow collection, Earth System Science Data 11, 493–514,
 *   doi:10.5194/essd-11-493-2019: snow is bright in B03 and dark in B11 (NDSI = (B03−B11)/(B03+B11) > 0.4).
 * - Checked against the real reBEN patch in ../shared/data (T33UUP_75_43, June 2017, arable land and
 *   pastures: median B04 0.06, B08 0.37, B11 0.22, B09 ≈ B8A in L2A).
 */

/** Bands of a signature, in this order (BigEarthNet's, B10 left out). */
export const SIGNATURE_BANDS = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B11', 'B12'] as const

/** A reflectance per band of SIGNATURE_BANDS. */
export type Signature = Float32Array

function sig(values: readonly number[]): Signature {
  if (values.length !== SIGNATURE_BANDS.length) throw new Error(`a signature has ${SIGNATURE_BANDS.length} bands, not ${values.length}`)
  return Float32Array.from(values)
}

//                               B01    B02    B03    B04    B05    B06    B07    B08    B8A    B09    B11    B12
/** Dense green crop canopy at peak (LAI ≈ 4): red trough, steep red edge, NIR plateau ≈ 0.42. */
export const GREEN_CROP = sig([0.030, 0.030, 0.065, 0.030, 0.105, 0.300, 0.390, 0.420, 0.430, 0.410, 0.210, 0.105])
/** Managed grassland in full growth: less NIR than a crop, more SWIR. */
export const GRASS = sig([0.035, 0.035, 0.070, 0.045, 0.110, 0.260, 0.320, 0.340, 0.350, 0.335, 0.230, 0.125])
/** Senescent grass, straw, stubble: no red trough, high SWIR (cellulose, lignin). */
export const DRY_VEGETATION = sig([0.060, 0.065, 0.095, 0.120, 0.160, 0.210, 0.240, 0.260, 0.275, 0.260, 0.350, 0.260])
/** Dry bare loam: reflectance rising steadily into the SWIR (B11 above B08). */
export const SOIL = sig([0.075, 0.080, 0.110, 0.140, 0.170, 0.190, 0.205, 0.215, 0.230, 0.215, 0.300, 0.250])
/** Broad-leaved canopy in leaf. */
export const BROADLEAF = sig([0.020, 0.022, 0.045, 0.025, 0.075, 0.250, 0.330, 0.360, 0.375, 0.355, 0.175, 0.080])
/** Broad-leaved stand without leaves: branches over litter, flat and dull. */
export const BROADLEAF_LEAF_OFF = sig([0.035, 0.040, 0.055, 0.065, 0.085, 0.120, 0.140, 0.155, 0.165, 0.155, 0.210, 0.140])
/** Coniferous canopy: darker than broad-leaved everywhere, above all in the red edge and NIR (shadowed needles). */
export const CONIFER = sig([0.015, 0.018, 0.035, 0.020, 0.055, 0.145, 0.185, 0.205, 0.215, 0.200, 0.100, 0.048])
/** Shrubs and heath (heather, broom, maquis). */
export const SHRUB = sig([0.025, 0.030, 0.050, 0.045, 0.085, 0.170, 0.210, 0.230, 0.240, 0.225, 0.190, 0.105])
/** Reeds, sedges and other wet vegetation. */
export const WET_VEGETATION = sig([0.025, 0.028, 0.055, 0.040, 0.090, 0.220, 0.280, 0.300, 0.310, 0.290, 0.150, 0.070])
/** Clear, deep inland water: a few per cent in the blue, near zero in NIR and SWIR. */
export const CLEAR_WATER = sig([0.045, 0.040, 0.035, 0.020, 0.013, 0.008, 0.007, 0.006, 0.005, 0.004, 0.003, 0.002])
/** Turbid or algae-rich water: brighter in green and red, still dark beyond 800 nm. */
export const TURBID_WATER = sig([0.055, 0.060, 0.075, 0.055, 0.045, 0.020, 0.016, 0.013, 0.011, 0.008, 0.004, 0.003])
/** Open sea. */
export const SEA = sig([0.050, 0.042, 0.032, 0.015, 0.010, 0.006, 0.005, 0.004, 0.004, 0.003, 0.002, 0.001])
/** Roofs, concrete and paving of residential areas: moderately bright, flat. */
export const ROOFS = sig([0.100, 0.105, 0.115, 0.125, 0.135, 0.145, 0.155, 0.165, 0.170, 0.160, 0.190, 0.170])
/** Clay-tile roofs (Mediterranean towns): red, rising towards the SWIR. */
export const TILE_ROOFS = sig([0.070, 0.075, 0.090, 0.150, 0.185, 0.205, 0.215, 0.225, 0.235, 0.220, 0.290, 0.240])
/** Asphalt roads and car parks: dark and flat. */
export const ASPHALT = sig([0.060, 0.060, 0.065, 0.070, 0.075, 0.080, 0.085, 0.090, 0.092, 0.088, 0.100, 0.092])
/** Large industrial roofs (metal sheet, concrete): bright and flat. */
export const INDUSTRIAL_ROOFS = sig([0.170, 0.180, 0.190, 0.200, 0.210, 0.215, 0.225, 0.230, 0.235, 0.220, 0.250, 0.225])
/** Dry beach and dune sand: bright, rising into the SWIR. */
export const SAND = sig([0.130, 0.150, 0.200, 0.250, 0.280, 0.300, 0.315, 0.330, 0.340, 0.320, 0.400, 0.330])
/** Bare rock and scree. */
export const ROCK = sig([0.100, 0.110, 0.130, 0.150, 0.165, 0.175, 0.185, 0.195, 0.200, 0.190, 0.240, 0.200])
/** Snow: very bright in the visible and NIR, dark in the SWIR (ice absorption). */
export const SNOW = sig([0.850, 0.870, 0.860, 0.840, 0.820, 0.800, 0.780, 0.750, 0.730, 0.600, 0.060, 0.040])

/**
 * MSI signal-to-noise requirements at reference radiance, per band of SIGNATURE_BANDS (Sentinel-2 User
 * Handbook): the sensor noise of the simulation is a reflectance of about 0.25 / SNR.
 */
export const SENSOR_SNR = Float32Array.from([129, 154, 168, 142, 117, 89, 105, 174, 72, 114, 100, 100])

/** a + t·(b − a), band by band, into `out`. */
export function mixSignatures(a: Signature, b: Signature, t: number, out: Signature = new Float32Array(a.length)): Signature {
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + t * (b[i]! - a[i]!)
  return out
}

/** A signature scaled by `k` in the visible to NIR and by `kSwir` in B11 and B12 (e.g. wet soil). */
export function scaleSignature(a: Signature, k: number, kSwir = k): Signature {
  const out = new Float32Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * (i >= 10 ? kSwir : k)
  return out
}
