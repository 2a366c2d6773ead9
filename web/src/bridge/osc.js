// OSC 1.0 datagrams read in the browser: what serve's OSCQuery websocket sends as binary frames (each exactly the
// datagram a UDP reply carries). A datagram that is not well-formed OSC throws an OscError; the caller counts it
// and goes on, so no frame can break the page.

export class OscError extends Error {}

const BUNDLE = '#bundle';
const MAX_DEPTH = 8; // bundles inside bundles: a bound, so a hostile frame cannot recurse without end
const decoder = new TextDecoder('utf-8', {fatal: true});

/** A NUL-terminated string padded to 4 bytes at `offset` -> [text, next offset]. */
function readString(bytes, offset) {
  const end = bytes.indexOf(0, offset);
  if (end < 0) throw new OscError(`string at byte ${offset} has no NUL`);
  const next = (end + 4) & ~3;
  if (next > bytes.length) throw new OscError(`string at byte ${offset} runs past the end`);
  let text;
  try {
    text = decoder.decode(bytes.subarray(offset, end));
  } catch {
    throw new OscError(`string at byte ${offset} is not UTF-8`);
  }
  return [text, next];
}

function need(bytes, offset, size, tag) {
  if (offset + size > bytes.length) throw new OscError(`argument '${tag}' runs past the end`);
}

/** One argument of type `tag` at `offset` -> [value, next offset]. */
function readArgument(bytes, view, offset, tag) {
  switch (tag) {
    case 'i': need(bytes, offset, 4, tag); return [view.getInt32(offset), offset + 4];
    case 'f': need(bytes, offset, 4, tag); return [view.getFloat32(offset), offset + 4];
    case 'h': need(bytes, offset, 8, tag); return [Number(view.getBigInt64(offset)), offset + 8];
    case 'd': need(bytes, offset, 8, tag); return [view.getFloat64(offset), offset + 8];
    case 's': case 'S': return readString(bytes, offset);
    case 'b': {
      need(bytes, offset, 4, tag);
      const size = view.getInt32(offset);
      if (size < 0) throw new OscError('negative blob size');
      need(bytes, offset + 4, size, tag);
      return [bytes.slice(offset + 4, offset + 4 + size), offset + 4 + ((size + 3) & ~3)];
    }
    case 'T': return [true, offset];
    case 'F': return [false, offset];
    case 'N': return [null, offset];
    case 'I': return [Infinity, offset];
    default: throw new OscError(`unknown type tag '${tag}'`);
  }
}

function parseMessage(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [address, afterAddress] = readString(bytes, 0);
  if (!address.startsWith('/')) throw new OscError(`address ${JSON.stringify(address.slice(0, 40))} does not start with /`);
  const [tags, afterTags] = readString(bytes, afterAddress);
  if (!tags.startsWith(',')) throw new OscError('no type tag string');
  const args = [];
  let offset = afterTags;
  for (const tag of tags.slice(1)) {
    const [value, next] = readArgument(bytes, view, offset, tag);
    args.push(value);
    offset = next;
  }
  if (offset !== bytes.length) throw new OscError(`${bytes.length - offset} bytes after the arguments`);
  return {address, types: tags.slice(1), args};
}

function parseInto(bytes, messages, depth) {
  if (bytes.length === 0 || bytes.length % 4 !== 0) throw new OscError(`a datagram of ${bytes.length} bytes (not a multiple of 4)`);
  if (bytes[0] !== 0x23) { // '#': not a bundle
    messages.push(parseMessage(bytes));
    return;
  }
  if (depth >= MAX_DEPTH) throw new OscError('bundles nested too deep');
  const [head, afterHead] = readString(bytes, 0);
  if (head !== BUNDLE || afterHead + 8 > bytes.length) throw new OscError('a malformed bundle');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = afterHead + 8; // the time tag: serve's notes are for now
  while (offset < bytes.length) {
    need(bytes, offset, 4, 'bundle element size');
    const size = view.getInt32(offset);
    if (size <= 0 || offset + 4 + size > bytes.length) throw new OscError('a bundle element runs past the end');
    parseInto(bytes.subarray(offset + 4, offset + 4 + size), messages, depth + 1);
    offset += 4 + size;
  }
}

/** An OSC datagram (ArrayBuffer or Uint8Array) -> [{address, types, args}], a bundle's messages in order.
 * Throws OscError when it is not well-formed. */
export function parsePacket(data) {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const messages = [];
  parseInto(bytes, messages, 0);
  return messages;
}
