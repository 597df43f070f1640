import type { EarthqubeApi, IpcCallName, IpcResponse, IpcResult } from '../../src-main/contract/ipc'
import { fail, isIpcResult } from '../../src-main/contract/ipc'

/**
 * The renderer's only way to main. In Electron the preload has put the contract's functions on
 * `window.earthqube`; in browser mode the same functions are made here over HTTP (POST /api/<call>).
 * Both return the contract's IpcResult, so nothing else in the renderer knows which it has.
 */
export const api: EarthqubeApi = window.earthqube ?? createHttpApi(window.fetch.bind(window))

/** The contract over HTTP, for browser mode (see src-main/server). */
export function createHttpApi(fetchFn: typeof fetch, base = '/api/'): EarthqubeApi {
  async function call<N extends IpcCallName>(name: N, request?: unknown): Promise<IpcResult<IpcResponse<N>>> {
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
    return isIpcResult(body) ? (body as IpcResult<IpcResponse<N>>) : fail(`${name}: the server answered HTTP ${response.status} with something else than a result`)
  }
  return {
    catalogStats: () => call('catalog:stats'),
    searchQuery: (query) => call('search:query', query),
    feedbackAdd: (feedback) => call('feedback:add', feedback),
    similarQuery: (request) => call('similar:query', request),
    appInfo: () => call('app:info'),
  }
}
