export * from './project.commands';
export * from './project.events';
export { projectDecider } from './project.decide';
export { PROJECT_STREAMS, projectStreamId } from './project.stream';
export {
  type ProjectState,
  initialProjectState,
  projectCountry,
  projectRecorderCountries,
  peakCommitment,
  type Commitment,
} from './project.state';
