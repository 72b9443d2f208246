export { valueImports, fileText, type ValueImport, type ImportScanOptions } from './value-imports';
export {
  sourceFiles,
  scanDataAccess,
  processEnvUses,
  connectionUrlUses,
  gateViolations,
  importedNames,
  described,
  type Finding,
  type DataAccessRules,
  type AllowedModule,
} from './source-scan';
export { importCycles, importGraph, type CycleScanOptions } from './import-cycles';
