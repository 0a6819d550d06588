/** Injection tokens for what is an interface (a port) or a plain value rather than a Nest class. */
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const READ_MODEL_STORE = Symbol('READ_MODEL_STORE');
export const PROJECTOR = Symbol('PROJECTOR');
/** One query port per slice of the read side (libs/projections `queries.ts`). */
export const INVENTORY_QUERIES = Symbol('INVENTORY_QUERIES');
export const STOCKPILE_QUERIES = Symbol('STOCKPILE_QUERIES');
export const PROJECT_QUERIES = Symbol('PROJECT_QUERIES');
export const RESTRICTION_QUERIES = Symbol('RESTRICTION_QUERIES');
export const SUPPLY_QUERIES = Symbol('SUPPLY_QUERIES');
export const EXPOSURE_QUERIES = Symbol('EXPOSURE_QUERIES');
export const FINANCING_QUERIES = Symbol('FINANCING_QUERIES');
