import type { IpcRendererEvent } from 'electron'
import { contextBridge, ipcRenderer } from 'electron'
import { bindApi } from '../src-main/contract/api'
import { EVENT_CHANNEL } from '../src-main/contract/calls'
import type { AppEvent } from '../src-main/contract/ipc'

// The bridge between the sandboxed renderer and main: the contract's functions, built from its call
// list (one channel per call, at most one argument), and one event subscription. ipcRenderer itself
// never reaches the page. Only the zod-free call list comes from the contract, so this bundle stays a
// few lines of CommonJS (sandboxed preloads cannot load ES modules or anything but electron's modules).

const api = bindApi({
  invoke: (name, request) => (request === undefined ? ipcRenderer.invoke(name) : ipcRenderer.invoke(name, request)),
  subscribe: (listener) => {
    const onEvent = (_event: IpcRendererEvent, event: AppEvent): void => listener(event)
    ipcRenderer.on(EVENT_CHANNEL, onEvent)
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, onEvent)
    }
  },
})

// The key must match `window.earthqube` in src-renderer/src/env.d.ts.
contextBridge.exposeInMainWorld('earthqube', api)
