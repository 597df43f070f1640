import { contextBridge, ipcRenderer } from 'electron'
import type { EarthqubeApi, IpcCallName, IpcResponse, IpcResult } from '../src-main/contract/ipc'

// The bridge between the sandboxed renderer and main: one named function per contract call, each
// sending exactly its own channel with at most one argument. ipcRenderer itself never reaches the
// page. Only types come from the contract, so this bundle stays a few lines of CommonJS (sandboxed
// preloads cannot load ES modules or anything but electron's renderer modules).

function invoke<N extends IpcCallName>(name: N, request?: unknown): Promise<IpcResult<IpcResponse<N>>> {
  const sending = request === undefined ? ipcRenderer.invoke(name) : ipcRenderer.invoke(name, request)
  return sending as Promise<IpcResult<IpcResponse<N>>>
}

const api: EarthqubeApi = {
  catalogStats: () => invoke('catalog:stats'),
  searchQuery: (query) => invoke('search:query', query),
  feedbackAdd: (feedback) => invoke('feedback:add', feedback),
  similarQuery: (request) => invoke('similar:query', request),
  appInfo: () => invoke('app:info'),
}

// The key must match `window.earthqube` in src-renderer/src/env.d.ts.
contextBridge.exposeInMainWorld('earthqube', api)
