import * as crypto from 'node:crypto';

/**
 * SHA-256 (lowercase hex) of a string's UTF-8 bytes. Every event is hashed twice when the log is verified
 * or digested (its content, then the digest step), so the per-call cost matters: the one-shot
 * `crypto.hash` (Node 20.12+) skips the Hash object that `createHash` builds and is about three times
 * faster on inputs this small. Older Node versions the engines range admits take `createHash`.
 */
export const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
