import type { Command } from 'commander'
import { Catalog } from '../../catalog/catalog'
import type { ImportRequest } from '../../service/dataJobs'
import { importData, importSummary } from '../../service/dataJobs'
import type { CliContext } from '../io'
import { dbOption } from '../options'
import { withProgress } from '../progressBar'

/** Opens the catalog, runs one import with progress and Ctrl-C, reports it, and closes the catalog. */
export async function importInto(ctx: CliContext, db: string, request: ImportRequest): Promise<void> {
  const catalog = Catalog.open(db)
  try {
    const result = await withProgress(ctx.io, (controls) => importData(catalog, request, controls))
    ctx.io.stdout(`${importSummary(result, db)}\n`)
  } finally {
    catalog.close()
  }
}

/** `earthqube import reben|v1|v2`: archives into a catalog, one transaction each. */
export function registerImportCommand(program: Command, ctx: CliContext): void {
  const imp = program.command('import').description('import an archive into a catalog (one transaction: all or nothing)')
  imp
    .command('reben')
    .description('BigEarthNet v2 (reBEN) metadata Parquet files: footprints from each patch_id')
    .argument('<parquet...>', 'reBEN metadata .parquet file(s)')
    .addOption(dbOption())
    .action((files: string[], opts: { db: string }) => importInto(ctx, opts.db, { kind: 'import-reben', files }))
  imp
    .command('v1')
    .description('BigEarthNet v1.0 patch folders (43-class labels, GeoTIFF bands)')
    .argument('<folder>', 'a patch folder or a folder of patch folders')
    .addOption(dbOption())
    .action((folder: string, opts: { db: string }) => importInto(ctx, opts.db, { kind: 'import-v1', folder }))
  imp
    .command('v2')
    .description('BigEarthNet v2 patch folders (BigEarthNet-S2/<product>/<patch>/…_B??.tif)')
    .argument('<folder>', 'the BigEarthNet-S2 folder, a product folder or a patch folder')
    .option('--metadata <parquet...>', 'reBEN metadata Parquet file(s) with the labels of these patches')
    .addOption(dbOption())
    .action((folder: string, opts: { db: string; metadata?: string[] }) =>
      importInto(ctx, opts.db, { kind: 'import-v2', folder, ...(opts.metadata ? { metadata: opts.metadata } : {}) }),
    )
}
