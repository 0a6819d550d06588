import { stockpileScenarios } from './support/stockpile-scenarios';

// The scenarios live in test/support so that esdb.e2e-spec.ts runs them on the EventStoreDB adapter too.
stockpileScenarios('Stockpiles over HTTP');
