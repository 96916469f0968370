'use strict';
// Text across the boundary: JS strings and Buffers to the bytes the C API takes.

const LATIN1 = /^[\x00-\xff]*$/; // eslint-disable-line no-control-regex
const ASCII = /^[\x01-\x7f]*$/; // eslint-disable-line no-control-regex (NUL: through a Buffer, with its length)

/** Header-ish text: ISO-8859-1 when it fits (as Node's HTTP parser decodes it), else UTF-8. */
function bytesOf(value, what) {
  if (typeof value === 'string') return Buffer.from(value, LATIN1.test(value) ? 'latin1' : 'utf8');
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'number' || typeof value === 'bigint') return Buffer.from(String(value), 'latin1');
  throw new TypeError(`${what} must be a string or a Buffer, not ${typeName(value)}`);
}

/** Names, usernames, passwords, JSON: UTF-8. */
function utf8Of(value, what) {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`${what} must be a string or a Buffer, not ${typeName(value)}`);
}

function typeName(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return v.constructor && v.constructor.name ? v.constructor.name : 'object';
  return typeof v;
}

module.exports = { ASCII, bytesOf, utf8Of, typeName };
