import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

/** The shared reference data beside the repository (../shared/data); absent in a user's clone. */
export const SHARED_DATA = resolve(__dirname, '..', '..', 'shared', 'data')

/** True when the shared data is there; tests that need it skip otherwise. */
export const hasSharedData = existsSync(resolve(SHARED_DATA, 'bigearthnet', 'reben-metadata.parquet'))

if (!hasSharedData) {
  console.warn(`[tests] ${SHARED_DATA} is absent: tests on real BigEarthNet data are skipped`)
}

/** Path inside the shared data. */
export function shared(...parts: string[]): string {
  return resolve(SHARED_DATA, ...parts)
}
