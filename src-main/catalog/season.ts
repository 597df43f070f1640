/** Meteorological seasons of the northern hemisphere. */
export const SEASONS = ['winter', 'spring', 'summer', 'autumn'] as const
export type Season = (typeof SEASONS)[number]

/** Season of a UTC instant: Dec–Feb winter, Mar–May spring, Jun–Aug summer, Sep–Nov autumn. */
export function seasonOf(epochSeconds: number): Season {
  const month = new Date(epochSeconds * 1000).getUTCMonth() // 0 = January
  return SEASONS[Math.floor(((month + 1) % 12) / 3)]!
}
