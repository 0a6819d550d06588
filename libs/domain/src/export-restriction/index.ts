export * from './export-restriction.commands';
export * from './export-restriction.events';
export { exportRestrictionDecider } from './export-restriction.decide';
export { EXPORT_RESTRICTION_STREAMS, exportRestrictionStreamId } from './export-restriction.stream';
export {
  type ExportRestrictionState,
  initialExportRestrictionState,
  isRestrictionActive,
  restrictionCovers,
  type RestrictionTerms,
} from './export-restriction.state';
