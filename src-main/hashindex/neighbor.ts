/** One search result: a patch id and its Hamming distance to the query. */
export interface Neighbor {
  id: number
  distance: number
}

/** Results are ordered by distance, then by id. */
export function compareNeighbors(a: Neighbor, b: Neighbor): number {
  return a.distance - b.distance || a.id - b.id
}
