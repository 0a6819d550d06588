export * from './export-restriction.commands';
export * from './export-restriction.events';
export {
  exportRestrictionDecider,
  exportRestrictionStreamId,
  isRestrictionActive,
} from './export-restriction.decide';
export {
  type ExportRestrictionState,
  initialExportRestrictionState,
  type RestrictionTerms,
} from './export-restriction.state';
