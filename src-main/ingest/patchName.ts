/** What a BigEarthNet patch name says about the patch. */
export interface ParsedPatchName {
  satellite: 'S2A' | 'S2B'
  /** Acquisition time, UTC, ISO 8601 ("2017-06-13T10:10:31Z"). */
  datetime: string
  /** Relative orbit (reBEN names only). */
  orbit: number | null
  /** Sentinel-2 MGRS tile (reBEN names only; v1 names leave it out). */
  tile: string | null
  x: number
  y: number
}

const REBEN_NAME = /^(S2[AB])_MSIL2A_(\d{8})T(\d{6})_N\d{4}_R(\d{3})_T(\d{2}[A-Z]{3})_(\d{1,3})_(\d{1,3})$/
const V1_NAME = /^(S2[AB])_MSIL2A_(\d{8})T(\d{5,6})_(\d{1,3})_(\d{1,3})$/

function isoFrom(date: string, time: string, name: string): string {
  const iso = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}Z`
  const t = Date.parse(iso)
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 19) + 'Z' !== iso) {
    throw new Error(`patch name "${name}" has an impossible acquisition time ${date}T${time}`)
  }
  return iso
}

/** Parses a reBEN (BigEarthNet v2) patch_id, e.g. S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_75_43. */
export function parseRebenName(name: string): ParsedPatchName {
  const m = REBEN_NAME.exec(name)
  if (!m) {
    throw new Error(
      `patch_id "${name}" does not parse: expected S2{A|B}_MSIL2A_{YYYYMMDD}T{hhmmss}_N9999_R{orbit}_T{tile}_{X}_{Y}`,
    )
  }
  return {
    satellite: m[1] as 'S2A' | 'S2B',
    datetime: isoFrom(m[2]!, m[3]!, name),
    orbit: Number(m[4]),
    tile: m[5]!,
    x: Number(m[6]),
    y: Number(m[7]),
  }
}

/**
 * Parses a BigEarthNet v1.0 folder name, e.g. S2A_MSIL2A_20170613T101031_87_48. Some real v1 names
 * drop a digit of the time (S2B_MSIL2A_20180204T94161_57_38); their time comes from the JSON instead,
 * so only the date is taken from such a name.
 */
export function parseV1Name(name: string): ParsedPatchName {
  const m = V1_NAME.exec(name)
  if (!m) throw new Error(`folder name "${name}" does not parse: expected S2{A|B}_MSIL2A_{YYYYMMDD}T{hhmmss}_{X}_{Y}`)
  const time = m[3]!.length === 6 ? m[3]! : '000000'
  return {
    satellite: m[1] as 'S2A' | 'S2B',
    datetime: isoFrom(m[2]!, time, name),
    orbit: null,
    tile: null,
    x: Number(m[4]),
    y: Number(m[5]),
  }
}
