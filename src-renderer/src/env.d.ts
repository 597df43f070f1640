import type { EarthqubeApi } from '../../src-main/contract/ipc'

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

declare global {
  interface Window {
    /** Set by the Electron preload (src-preload); absent in browser mode. Use ./bridge, not this. */
    readonly earthqube?: EarthqubeApi
  }
}
