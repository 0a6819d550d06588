export * from './project.commands';
export * from './project.events';
export { projectCountry, projectDecider, projectStreamId } from './project.decide';
export { type ProjectState, initialProjectState } from './project.state';
