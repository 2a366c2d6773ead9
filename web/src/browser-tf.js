// TensorFlow.js in the page: the UMD builds from node_modules (loaded by index.html) define globalThis.tf and
// tf.wasm. The wasm binaries are served from the same local server, so nothing is fetched from a CDN.

export const WASM_DIR = 'node_modules/@tensorflow/tfjs-backend-wasm/dist/';

/** Selects `preferred` ('wasm' or 'cpu'), falling back to cpu; resolves to tf. */
export async function initTf(preferred = 'wasm') {
  const tf = globalThis.tf;
  if (!tf?.wasm) throw new Error('TensorFlow.js did not load (node_modules missing? run npm ci in web/)');
  // Single-threaded wasm even when the page is cross-origin isolated: a decoder step is ~25 tiny ops, far too
  // small for a thread pool to pay off.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  tf.wasm.setWasmPaths(new URL(WASM_DIR, document.baseURI).href);
  for (const name of preferred === 'cpu' ? ['cpu'] : [preferred, 'cpu']) {
    if (await tf.setBackend(name)) {
      await tf.ready();
      return tf;
    }
  }
  throw new Error('no TensorFlow.js backend could be initialised');
}
