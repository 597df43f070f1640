import { readPatchImage } from '../sentinel2/geotiff'

/** One band of an inspected image: its size, resolution and value range. */
export interface BandSummary {
  band: string
  width: number
  height: number
  resolutionMeters: number
  min: number
  max: number
  mean: number
}

/**
 * Reads and validates one GeoTIFF or patch folder (a query-by-example input) and summarises it: kind,
 * name, UTM box, footprint and per band its size and value range. Errors name the file and the problem.
 */
export async function inspectImage(path: string): Promise<{
  kind: string
  name: string
  path: string
  utm: unknown
  footprint: { type: 'Polygon'; coordinates: [number, number][][] }
  bands: BandSummary[]
}> {
  const image = await readPatchImage(path)
  const bands = image.bandNames.map((name) => {
    const b = image.bands.get(name)!
    let min = Infinity
    let max = -Infinity
    let sum = 0
    for (let i = 0; i < b.data.length; i++) {
      const v = Number(b.data[i])
      if (v < min) min = v
      if (v > max) max = v
      sum += v
    }
    return { band: name, width: b.width, height: b.height, resolutionMeters: b.resolution, min, max, mean: sum / b.data.length }
  })
  return { kind: image.kind, name: image.name, path: image.path, utm: image.utm, footprint: { type: 'Polygon', coordinates: [image.footprint] }, bands }
}
