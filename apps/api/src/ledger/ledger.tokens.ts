/** Injection tokens for what is an interface (a port) or a plain value rather than a Nest class. */
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');
export const LEDGER_DATABASE = Symbol('LEDGER_DATABASE');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const READ_MODEL_PROGRESS = Symbol('READ_MODEL_PROGRESS');
export const PROJECTION_DATABASE = Symbol('PROJECTION_DATABASE');
