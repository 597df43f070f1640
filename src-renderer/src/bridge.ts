import { bindApi } from '../../src-main/contract/api'
import type { AppEvent, EarthqubeApi, IpcResult } from '../../src-main/contract/ipc'
import { fail, isIpcResult } from '../../src-main/contract/ipc'

/**
 * The renderer's only way to main. In Electron the preload has put the contract's functions on
 * `window.earthqube`; in browser mode the same functions are made here over HTTP (POST /api/<call>,
 * events from GET /api/events). Both are built by `bindApi` from the contract's call list and return
 * its IpcResult, so nothing else in the renderer knows which it has.
 */
export const api: EarthqubeApi = window.earthqube ?? createHttpApi(window.fetch.bind(window), (url) => new EventSource(url))

/** The contract over HTTP, for browser mode (see src-main/server). */
export function createHttpApi(fetchFn: typeof fetch, openEvents: (url: string) => EventSource, base = '/api/'): EarthqubeApi {
  async function invoke(name: string, request: unknown): Promise<IpcResult<unknown>> {
    let response: Response
    try {
      response = await fetchFn(`${base}${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: request === undefined ? '' : JSON.stringify(request),
      })
    } catch (e) {
      return fail(`cannot reach the EarthQube server (${e instanceof Error ? e.message : String(e)}); is it still running?`)
    }
    let body: unknown
    try {
      body = await response.json()
    } catch {
      return fail(`${name}: the server answered HTTP ${response.status} without a result`)
    }
    // The server is ours and validated the response against the contract before sending it.
    return isIpcResult(body) ? body : fail(`${name}: the server answered HTTP ${response.status} with something else than a result`)
  }

  // One event stream, opened for the first listener and closed after the last (EventSource reconnects by itself).
  const listeners = new Set<(event: AppEvent) => void>()
  let source: EventSource | null = null
  function subscribe(listener: (event: AppEvent) => void): () => void {
    listeners.add(listener)
    if (!source) {
      source = openEvents(`${base}events`)
      source.onmessage = (message: MessageEvent<string>) => {
        let event: AppEvent
        try {
          event = JSON.parse(message.data) as AppEvent
        } catch {
          return
        }
        for (const l of [...listeners]) l(event)
      }
    }
    return () => {
      listeners.delete(listener)
      if (listeners.size === 0 && source) {
        source.close()
        source = null
      }
    }
  }

  return bindApi({ invoke, subscribe })
}
