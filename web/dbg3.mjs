import {startServer} from './tools/static-server.mjs';
import {useBackend} from './test/helpers/tf.mjs';
import {PianoGenie, keyMask} from './src/genie.js';
const s = await startServer('.', {'/model/': '/work/shared/upstream'});
const tf = await useBackend('wasm');
const g = await PianoGenie.load(tf, s.url + '/model/');
const ses = g.session({seed: 0});
const d = g.decoder;
const acc = {a:[],b:[],c:[],d:[]};
for (let i=0;i<2000;i++){
  ses.prepare();
  const t0=performance.now();
  const mask = keyMask(null);
  const next = d.press(ses._state, ses._prepared, i%8, 0.1);
  const t1=performance.now();
  const logits = next.logits.dataSync();
  const key = ses._gumbelMax(logits, 0.25, mask);
  const t2=performance.now();
  tf.dispose([next.logits, ...Object.values(ses._state)]);
  ses._state = {h1: next.h1, c1: next.c1, h2: next.h2, c2: next.c2};
  ses._dropPrepared(); ses._lastKey = key; ses._noiseFresh=false;
  const t3=performance.now();
  acc.a.push(t1-t0); acc.b.push(t2-t1); acc.c.push(t3-t2);
}
for (const k of ['a','b','c']) { acc[k].sort((p,q)=>p-q); console.log(k, (acc[k][1000]*1000).toFixed(1)); }
await s.close();
