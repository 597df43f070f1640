// The import direction of src-main, checked by `npm run check:deps` (part of `npm test`).
//
// Layers, lowest first. A folder may import folders of lower layers only: never a folder of its own
// layer, never one above. That one rule gives both the order and "no cycle between folders".
const LAYERS = [
  ['common', 'contract', 'hashcode'], // shared basics: progress, cancellation, errors; the contract; the code format
  ['geo'], // MGRS, UTM ↔ WGS84, footprints
  ['sentinel2'], // the band model, patch images, reading band GeoTIFFs
  ['catalog'], // SQLite: schema, patches, codes, the scan snapshot, import transactions
  ['ingest', 'hashindex', 'inference', 'demo'], // importers; Hamming search; MiLaN; the simulated archive
  ['search', 'pixels'], // the query engine; where a patch's pixels come from
  ['similarity'], // query by example: codes → hash index → catalog filter
  ['service'], // the app service: contract calls, jobs, events
  ['app', 'server'], // adapters: Electron, browser mode
  ['cli'], // the earthqube command (may start browser mode)
]

/** Packages that only run in Node (native code, files, processes): never in the renderer. */
const NODE_ONLY_PACKAGES = '(better-sqlite3|onnxruntime-node|geotiff|hyparquet|hyparquet-compressors|hyparquet-writer|proj4|mgrs|commander|cli-progress|electron)'

const alternation = (folders) => `^src-main/(${folders.join('|')})/`

const layerRules = LAYERS.flatMap((layer, rank) =>
  layer.map((folder) => {
    const notBelow = LAYERS.slice(rank).flat().filter((f) => f !== folder)
    return {
      name: `layer-order: ${folder}/ imports only lower layers`,
      comment:
        `src-main/${folder}/ is in layer ${rank}; it may import only ` +
        (rank === 0 ? 'npm packages' : LAYERS.slice(0, rank).flat().join(', ')) +
        ' (see .dependency-cruiser.cjs and src-main/README.md)',
      severity: 'error',
      from: { path: `^src-main/${folder}/` },
      to: { path: alternation(notBelow) },
    }
  }),
)

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'unknown-folder: every src-main folder has a layer',
      comment: 'a new folder under src-main/ needs its place in LAYERS (.dependency-cruiser.cjs)',
      severity: 'error',
      from: { path: '^src-main/', pathNot: alternation(LAYERS.flat()) },
      to: {},
    },
    {
      name: 'no-cycle',
      comment: 'modules import each other in a circle',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'electron-only-in-app-and-preload',
      comment: 'only src-main/app/ and src-preload/ may import electron (or electron/*); the core runs in plain Node',
      severity: 'error',
      from: { pathNot: '^(src-main/app|src-preload)/' },
      to: { path: '(^|/)node_modules/electron/|^electron(/|$)' },
    },
    {
      name: 'sql-only-in-catalog-and-search',
      comment: 'SQL lives in src-main/catalog/ (and the query engine in src-main/search/): only they may use better-sqlite3, even its types',
      severity: 'error',
      from: { path: '^src-main/', pathNot: '^src-main/(catalog|search)/' },
      to: { path: '(^|/)node_modules/(@types/)?better-sqlite3/|^better-sqlite3$' },
    },
    {
      name: 'renderer-reaches-main-only-through-the-contract',
      comment: 'src-renderer/ may import from src-main/ only src-main/contract/',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^src-main/', pathNot: '^src-main/contract/' },
    },
    {
      name: 'renderer-has-no-node-built-ins',
      comment: 'the renderer is untrusted web code: no Node built-in modules',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-has-no-main-process-packages',
      comment: 'the renderer runs in a browser sandbox: no native or Node-only packages',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: `(^|/)node_modules/${NODE_ONLY_PACKAGES}/|^${NODE_ONLY_PACKAGES}(/|$)` },
    },
    {
      name: 'contract-is-plain',
      comment: 'src-main/contract/ is compiled for the renderer too: zod only, no Node built-ins',
      severity: 'error',
      from: { path: '^src-main/contract/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'preload-imports-only-electron-and-the-contract',
      comment: 'the sandboxed preload bundles nothing but the contract (types and call names) and electron',
      severity: 'error',
      from: { path: '^src-preload/' },
      to: { path: '^src-main/', pathNot: '^src-main/contract/' },
    },
    {
      name: 'product-code-never-imports-tests-bench-or-build',
      comment: 'tests, benchmarks and build scripts use the product, never the other way round',
      severity: 'error',
      from: { path: '^src-(main|preload|renderer)/' },
      to: { path: '^(tests|bench|build)/' },
    },
    {
      name: 'resolvable',
      comment: 'an import that does not resolve to a file or an installed package',
      severity: 'error',
      from: { path: '^(src-main|src-preload|src-renderer)/' },
      // electron is an optional dependency: its package may be absent where its runtime cannot download.
      to: { couldNotResolve: true, pathNot: '^electron(/|$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(out|node_modules)/|\\.generated\\.ts$|\\.as\\.ts$' },
    // Type-only imports count: a layer may not lean on a higher layer's types either.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.node.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      extensions: ['.ts', '.vue', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
}
