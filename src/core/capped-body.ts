// A fetch Response's body read under a byte cap, shared by the rails' JSON-RPC clients and the
// rate sources: methods and rates may import only core (DESIGN.md §2), so it lives here. It opens
// no connection: the caller made the request and hands in the response; this only drains its
// stream, or cancels it once the cap is passed so no more of an oversized answer is read.

/** A body refused for its size: its declared Content-Length when that alone was over the cap, else null. */
export interface BodyTooLarge {
  readonly tooLarge: true;
  readonly declaredBytes: number | null;
}

/** The body's bytes, or BodyTooLarge when it is longer than `maxBytes` (the read stops there). */
export async function readCappedBody(response: Response, maxBytes: number): Promise<Uint8Array | BodyTooLarge> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    return { tooLarge: true, declaredBytes: declared };
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return { tooLarge: true, declaredBytes: null };
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

export function isBodyTooLarge(body: Uint8Array | BodyTooLarge): body is BodyTooLarge {
  return !(body instanceof Uint8Array);
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
