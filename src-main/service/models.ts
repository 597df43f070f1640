import type { ModelRegistry } from '../inference/modelRegistry'

/** A model as `earthqube models` and `models:list` show it: its card's essentials, or why its folder is unusable. */
export type ModelSummary =
  | { id: string; dir: string; bits: number; name: string | null; metrics: Record<string, unknown> | null }
  | { dir: string; error: string }

/** The hash models available (the user's first, then the shipped ones). */
export function modelSummaries(models: ModelRegistry): ModelSummary[] {
  return models
    .available()
    .map((m) =>
      m.card
        ? { id: m.card.id, dir: m.dir, bits: m.card.bits, name: m.card.name ?? null, metrics: m.card.metrics ?? null }
        : { dir: m.dir, error: m.error ?? 'unusable' },
    )
}
