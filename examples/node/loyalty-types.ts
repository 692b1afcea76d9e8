// The example imports the package through this file, as an application would import
// 'loyalty' from node_modules.
export * from '../../bindings-node/loyalty'
export type IdConflictCode = 'id_conflict'
