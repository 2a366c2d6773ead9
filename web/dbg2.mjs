import {useBackend} from './test/helpers/tf.mjs';
const tf = await useBackend('wasm');
const z = tf.randomNormal([1,512]); const c = tf.randomNormal([1,128]); const w = tf.randomNormal([128,512]); const bias = tf.randomNormal([512]);
const x2 = tf.randomNormal([1,2]); const w2 = tf.randomNormal([2,512]); const wo = tf.randomNormal([128,88]); const bo = tf.randomNormal([88]);
function bench(name, f){ for(let i=0;i<300;i++) f(); const ts=[]; for (let i=0;i<3000;i++){const t0=performance.now(); f(); ts.push(performance.now()-t0);} ts.sort((p,q)=>p-q); console.log(name.padEnd(20), (ts[1500]*1000).toFixed(1),'us p50');}
bench('empty tidy', ()=>tf.tidy(()=>{}));
bench('sigmoid', ()=>tf.tidy(()=>{tf.sigmoid(z)}));
bench('split4', ()=>tf.tidy(()=>{tf.split(z,4,1)}));
bench('slice', ()=>tf.tidy(()=>{tf.slice(z,[0,384],[1,128])}));
bench('mul', ()=>tf.tidy(()=>{tf.mul(c,c)}));
bench('tensor2d', ()=>tf.tidy(()=>{tf.tensor2d([0.1,0.2],[1,2])}));
bench('fmm 1x2x512', ()=>tf.tidy(()=>{tf.fused.matMul({a:x2,b:w2,bias})}));
bench('fmm 1x128x512', ()=>tf.tidy(()=>{tf.fused.matMul({a:c,b:w,bias})}));
bench('mm 1x128x512', ()=>tf.tidy(()=>{tf.matMul(c,w)}));
bench('fmm 1x128x88', ()=>tf.tidy(()=>{tf.fused.matMul({a:c,b:wo,bias:bo})}));
bench('dataSync 88', ()=>{bo.dataSync()});
bench('cell', ()=>tf.tidy(()=>{const [i,f,o]=tf.split(tf.sigmoid(z),4,1); const g=tf.tanh(tf.slice(z,[0,384],[1,128])); const cn=tf.add(tf.mul(f,c),tf.mul(i,g)); tf.mul(o,tf.tanh(cn));}));
