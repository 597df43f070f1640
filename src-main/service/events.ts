import type { AppEvent } from '../contract/ipc'

/** A listener of main's events. */
export type AppEventListener = (event: AppEvent) => void

/**
 * Where main's events start: the app service emits, each transport subscribes (the Electron adapter
 * forwards to its window, browser mode to its event streams). A listener that throws is dropped from
 * that one delivery, never from the others.
 */
export class EventHub {
  private readonly listeners = new Set<AppEventListener>()

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: AppEventListener): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** Delivers an event to every listener. */
  emit(event: AppEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event)
      } catch {
        // A broken transport (a closed window, a dropped stream) must not stop the others.
      }
    }
  }

  /** How many listeners there are (tests, and transports closing). */
  get size(): number {
    return this.listeners.size
  }
}
