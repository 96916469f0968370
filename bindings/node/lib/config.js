'use strict';
// A configuration argument (object, JSON text, Buffer, file path or URL) and loading it into an
// authp_config: shared by Engine and Directory.open.

const { fn } = require('./native');
const { typeName } = require('./text');

/** {text: Buffer, file: null} for JSON, {text: null, file} for a path. */
function configSource(config) {
  if (Buffer.isBuffer(config) || config instanceof Uint8Array) return { text: Buffer.from(config), file: null };
  if (config instanceof URL) return { text: null, file: require('node:url').fileURLToPath(config) };
  if (typeof config === 'string') {
    if (config.trimStart().startsWith('{')) return { text: Buffer.from(config, 'utf8'), file: null };
    return { text: null, file: config };
  }
  if (config !== null && typeof config === 'object' && !Array.isArray(config)) {
    return { text: Buffer.from(JSON.stringify(config), 'utf8'), file: null };
  }
  throw new TypeError(`config must be an object, JSON text or the path of a JSON file, not ${typeName(config)}`);
}

/** Loads a configSource() into cfg; returns the C API's code. baseDir: for a relative DATABASE of JSON. */
function loadConfig(cfg, source, baseDir) {
  if (source.file !== null) return fn.configLoadFile(cfg, source.file);
  const base = baseDir === undefined || baseDir === null ? null : String(baseDir);
  return fn.configLoadJson(cfg, source.text, source.text.length, base);
}

module.exports = { configSource, loadConfig };
