// tfjs in node with both backends the page uses: cpu (pure JS) and wasm, with the .wasm files from node_modules.
import * as tf from '@tensorflow/tfjs';
import {setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
import {join} from 'node:path';
import {WEB_ROOT} from './paths.mjs';

setWasmPaths(join(WEB_ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + '/');

export async function useBackend(name) {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} failed to initialise`);
  await tf.ready();
  return tf;
}

export {tf};
