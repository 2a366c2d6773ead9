// Loading a model directory (the shared format: a tfjs weights manifest, its shards and cfg.json) and checking
// everything the decoder relies on. Any problem raises one ModelError that names the file and the tensor.

import {CONFIG_NAME, DECODER_TENSORS, DT_MAX, MANIFEST_NAME, REQUIRED_CONFIG} from './constants.js';

export class ModelError extends Error {
  constructor(where, what, tensor = null) {
    super(`${where}${tensor ? ` [tensor '${tensor}']` : ''}: ${what}`);
    this.name = 'ModelError';
  }
}

function joinUrl(base, name) {
  return base.endsWith('/') ? base + name : `${base}/${name}`;
}

async function fetchJson(fetchFn, url) {
  let response;
  try {
    response = await fetchFn(url);
  } catch (err) {
    throw new ModelError(url, `cannot be fetched (${err.message})`);
  }
  if (!response.ok) throw new ModelError(url, `cannot be fetched (HTTP ${response.status})`);
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelError(url, `is not valid JSON (${err.message})`);
  }
}

function sameShape(a, b) {
  return Array.isArray(a) && a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Checks a parsed weights manifest and returns it; only float32, unquantized, uniquely named tensors. */
export function checkManifest(manifest, url) {
  if (!Array.isArray(manifest) || manifest.length === 0) {
    throw new ModelError(url, 'must be a non-empty JSON list of weight groups');
  }
  const seen = new Map();
  manifest.forEach((group, g) => {
    if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelError(url, `group ${g} must be an object with 'paths' and 'weights' lists`);
    }
    for (const path of group.paths) {
      if (typeof path !== 'string' || !path || path.startsWith('/') || path.split('/').includes('..') || /^[a-z]+:/i.test(path)) {
        throw new ModelError(url, `shard path ${JSON.stringify(path)} must be a relative file name inside the model directory`);
      }
    }
    for (const entry of group.weights) {
      if (!entry || typeof entry.name !== 'string') {
        throw new ModelError(url, `group ${g} has a weight entry without a name: ${JSON.stringify(entry)}`);
      }
      const name = entry.name;
      if ('quantization' in entry) throw new ModelError(url, 'quantized weights are not supported; export float32', name);
      if (entry.dtype !== 'float32') {
        throw new ModelError(url, `dtype ${JSON.stringify(entry.dtype)} is not supported (float32 only)`, name);
      }
      if (!Array.isArray(entry.shape) || !entry.shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new ModelError(url, `shape ${JSON.stringify(entry.shape)} is not a list of non-negative integers`, name);
      }
      if (seen.has(name)) throw new ModelError(url, 'appears twice', name);
      seen.set(name, entry.shape);
    }
  });
  for (const [name, shape] of Object.entries(DECODER_TENSORS)) {
    if (!seen.has(name)) throw new ModelError(url, 'required decoder tensor is missing', name);
    if (!sameShape(seen.get(name), shape)) {
      throw new ModelError(url, `shape ${JSON.stringify(seen.get(name))} does not match the decoder's ${JSON.stringify(shape)}`, name);
    }
  }
  return manifest;
}

/** Checks cfg.json against what this port implements. */
export function checkConfig(cfg, url) {
  if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg)) throw new ModelError(url, 'must hold a JSON object');
  for (const [key, expected] of Object.entries(REQUIRED_CONFIG)) {
    if (!(key in cfg)) throw new ModelError(url, `missing key '${key}'`);
    if (cfg[key] !== expected) throw new ModelError(url, `${key} is ${JSON.stringify(cfg[key])}, but this port implements ${expected}`);
  }
  const dtMax = cfg.data_delta_time_max ?? DT_MAX;
  if (dtMax !== DT_MAX) {
    throw new ModelError(url, `data_delta_time_max is ${JSON.stringify(dtMax)}, but the decoder contract fixes it at ${DT_MAX}`);
  }
  return cfg;
}

// Expected bytes per group, so a truncated or padded shard is caught before tfjs decodes it.
function groupBytes(group) {
  return group.weights.reduce((sum, w) => sum + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
}

// Fetches every shard once and checks each group's byte count, so a truncated or padded shard is reported
// by name before tfjs decodes anything. Returns the buffers keyed by URL.
async function fetchShards(fetchFn, manifest, baseUrl) {
  const buffers = new Map();
  for (const [g, group] of manifest.entries()) {
    let total = 0;
    for (const path of group.paths) {
      const url = joinUrl(baseUrl, path);
      let response;
      try {
        response = await fetchFn(url);
      } catch (err) {
        throw new ModelError(url, `shard listed in ${MANIFEST_NAME} cannot be fetched (${err.message})`);
      }
      if (!response.ok) throw new ModelError(url, `shard listed in ${MANIFEST_NAME} is missing (HTTP ${response.status})`);
      const buffer = await response.arrayBuffer();
      buffers.set(url, buffer);
      total += buffer.byteLength;
    }
    const expected = groupBytes(group);
    if (total !== expected) {
      throw new ModelError(joinUrl(baseUrl, group.paths.join(', ') || '(no shards)'),
        `shards hold ${total} bytes but ${MANIFEST_NAME} group ${g} describes ${expected}`);
    }
  }
  return buffers;
}

/**
 * Loads and validates a model directory at `baseUrl`. Returns {weights, cfg}: the decoder's tensors as
 * Float32Arrays keyed by name (the tfjs tensors are read once and disposed) and the parsed cfg.json.
 */
export async function loadModel(tf, baseUrl, {fetchFn = globalThis.fetch.bind(globalThis)} = {}) {
  const manifestUrl = joinUrl(baseUrl, MANIFEST_NAME);
  const manifest = checkManifest(await fetchJson(fetchFn, manifestUrl), manifestUrl);
  const configUrl = joinUrl(baseUrl, CONFIG_NAME);
  const cfg = checkConfig(await fetchJson(fetchFn, configUrl), configUrl);
  const buffers = await fetchShards(fetchFn, manifest, baseUrl);
  // tf.io.loadWeights is weightsLoaderFactory over fetch; handing it the checked buffers avoids a second fetch.
  const load = tf.io.weightsLoaderFactory(async (urls) => urls.map((url) => buffers.get(url)));
  let tensors;
  try {
    tensors = await load(manifest, baseUrl);
  } catch (err) {
    throw new ModelError(baseUrl, `tfjs could not decode the weights (${err.message})`);
  }
  const weights = {};
  try {
    for (const name of Object.keys(DECODER_TENSORS)) {
      const values = tensors[name].dataSync().slice();
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new ModelError(manifestUrl, `holds a NaN or infinite value at flat index ${bad}`, name);
      weights[name] = values;
    }
  } finally {
    tf.dispose(tensors);
  }
  return {weights, cfg};
}
