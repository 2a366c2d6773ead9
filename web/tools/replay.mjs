// Plays an events file through the port, like `pianogenie replay`: a fresh session, events in time order.
//   node web/tools/replay.mjs --model DIR --events FILE.json [--temperature T] [--seed S] [--keys 27,28,...]
//                             [--backend wasm|cpu]
// Prints {"keys": [...], "pitches": [...], "backend": ...} as JSON. The Python <-> JS parity test uses it.
import {readFileSync} from 'node:fs';
import {resolve} from 'node:path';
import {parseArgs} from 'node:util';

import {keyToPitch} from '../src/constants.js';
import {PianoGenie} from '../src/genie.js';
import {useBackend} from '../test/helpers/tf.mjs';
import {startServer} from './static-server.mjs';

const {values: args} = parseArgs({options: {
  model: {type: 'string'}, events: {type: 'string'}, temperature: {type: 'string', default: '0'},
  seed: {type: 'string'}, keys: {type: 'string'}, backend: {type: 'string', default: 'wasm'},
}});
if (!args.model || !args.events) {
  console.error('usage: replay.mjs --model DIR --events FILE.json [--temperature T] [--seed S] [--keys K,K,...] [--backend wasm|cpu]');
  process.exit(2);
}

const doc = JSON.parse(readFileSync(args.events, 'utf8'));
if (!Array.isArray(doc?.events)) throw new Error(`${args.events}: expected an object with an "events" list`);
// A stable sort by time, as Python's sorted() does.
const events = doc.events.map((e, i) => ({...e, i})).sort((a, b) => a.time - b.time || a.i - b.i);
const keys = args.keys ? args.keys.split(',').map(Number) : null;

const tf = await useBackend(args.backend);
const server = await startServer(resolve(args.model));
try {
  const genie = await PianoGenie.load(tf, `${server.url}/`);
  const session = genie.session({seed: args.seed === undefined ? null : Number(args.seed)});
  const played = events.map((e) => session.press(e.button, {time: e.time, temperature: Number(args.temperature), keys}));
  console.log(JSON.stringify({backend: tf.getBackend(), keys: played, pitches: played.map(keyToPitch)}));
  session.dispose();
  genie.dispose();
} finally {
  await server.close();
}
