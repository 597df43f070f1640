import { SEASON_NAMES } from '../contract/query'

/**
 * Meteorological seasons of the northern hemisphere. The catalog stores a season as its index in the
 * query language's one list (contract/query.ts SEASON_NAMES), and search decodes it with the same list.
 */
export type Season = (typeof SEASON_NAMES)[number]

/** Season of a UTC instant: Dec–Feb winter, Mar–May spring, Jun–Aug summer, Sep–Nov autumn. */
export function seasonOf(epochSeconds: number): Season {
  const month = new Date(epochSeconds * 1000).getUTCMonth() // 0 = January
  return SEASON_NAMES[Math.floor(((month + 1) % 12) / 3)]!
}

/** The stored code of a season: its index in SEASON_NAMES. */
export function seasonCode(season: Season): number {
  return SEASON_NAMES.indexOf(season)
}
