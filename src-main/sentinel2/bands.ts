/** Nominal ground resolution of every Sentinel-2 band, metres. */
export const BAND_RESOLUTION_M = {
  B01: 60,
  B02: 10,
  B03: 10,
  B04: 10,
  B05: 20,
  B06: 20,
  B07: 20,
  B08: 10,
  B8A: 20,
  B09: 60,
  B10: 60,
  B11: 20,
  B12: 20,
} as const

/** A Sentinel-2 band name. */
export type BandName = keyof typeof BAND_RESOLUTION_M

/** The 12 bands of a BigEarthNet patch, in the archive's order (B10 is not in the archive). */
export const BIGEARTHNET_BANDS: readonly BandName[] = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B11', 'B12']

/** The 13 bands of a Sentinel-2 L1C product, in product order. */
export const S2_L1C_BANDS: readonly BandName[] = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12']

/**
 * The order EuroSAT's 13-band GeoTIFFs really store: B8A last, not after B08 as the EuroSAT paper lists.
 * The pixels show it (the 13th band tracks B08 with r ≈ 0.98, the 11th — B10, cirrus — is near 0) and
 * so do phelber/EuroSAT#7 and torchgeo#2458. A 13-band file without band descriptions is read this way.
 */
export const EUROSAT_BANDS: readonly BandName[] = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B09', 'B10', 'B11', 'B12', 'B8A']
