import type { TypedArray } from 'geotiff'
import type { Ring, UtmBox } from '../geo/utm'
import type { BandName } from './bands'

/** One band's pixels. */
export interface BandRaster {
  width: number
  height: number
  /** Row-major pixel values (UInt16 for BigEarthNet and EuroSAT). */
  data: TypedArray
  /** Ground size of this raster's pixels, metres (EuroSAT's are close to, not exactly, 10 m). */
  resolution: number
}

/** A patch image the user gave: a BigEarthNet patch folder or one multi-band GeoTIFF. */
export interface PatchImage {
  kind: 'bigearthnet-folder' | 'multiband'
  path: string
  /** Patch name (folder name) or file name without extension. */
  name: string
  /** Bands present, in Sentinel-2 order. */
  bandNames: BandName[]
  bands: Map<BandName, BandRaster>
  utm: UtmBox
  footprint: Ring
}
