import {startServer} from './tools/static-server.mjs';
import {useBackend} from './test/helpers/tf.mjs';
import {PianoGenie} from './src/genie.js';
const s = await startServer('.', {'/model/': '/work/shared/upstream'});
const tf = await useBackend('wasm');
const g = await PianoGenie.load(tf, s.url + '/model/');
const ses = g.session({seed: 0});
const d = g.decoder;
function bench(name, f){ for(let i=0;i<300;i++) f(); const ts=[]; for (let i=0;i<2000;i++){const t0=performance.now(); f(); ts.push(performance.now()-t0);} ts.sort((p,q)=>p-q); console.log(name.padEnd(20), (ts[1000]*1000).toFixed(1),'us p50');}
const st = ses._state, pr = ses._prepared;
bench('decoder.press', ()=>{ const n = d.press(st, pr, 3, 0.1); n.logits.dataSync(); tf.dispose(Object.values(n)); });
bench('decoder.prepare', ()=>{ tf.dispose(Object.values(d.prepare(st, 5))); });
bench('session press+prep', ()=>{ ses.press(3, {time: 0}); ses.prepare(); });
let ts=[], tp=[]; for (let i=0;i<2000;i++){const t0=performance.now(); ses.press(i%8, {time: i}); const t1=performance.now(); ses.prepare(); const t2=performance.now(); ts.push(t1-t0); tp.push(t2-t1);} ts.sort((p,q)=>p-q); tp.sort((p,q)=>p-q);
console.log('press', ts[1000]*1000, 'prepare', tp[1000]*1000);
await s.close();
