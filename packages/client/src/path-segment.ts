// Ids in paths are opaque to the client: escaped, never trusted, so an id like "../x" or "a?b"
// cannot reach another route.

import { CofferInputError } from './errors.ts';

export function segment(id: string): string {
  if (typeof id !== 'string' || id.length === 0) throw new CofferInputError('id must be a non-empty string', 'id');
  // URL parsing resolves "." and ".." segments even when escaping leaves them as they are.
  if (id === '.' || id === '..') throw new CofferInputError('id must not be "." or ".."', 'id');
  return encodeURIComponent(id);
}
