// A UDP OSC peer, as a controller is: sends presses to serve and keeps every reply it gets back (serve replies to
// the sender). The replies are read with the page's own parser, which tests/web/test_web_bridge.py checks against
// the bridge's encoder.
import {createSocket} from 'node:dgram';

import {parsePacket} from '../../src/bridge/osc.js';

const padded = (text) => {
  const raw = Buffer.from(`${text}\0`, 'utf8');
  return Buffer.concat([raw, Buffer.alloc((4 - (raw.length % 4)) % 4)]);
};

/** An OSC message of int arguments. */
export function intMessage(address, ...values) {
  const body = Buffer.alloc(4 * values.length);
  values.forEach((value, i) => body.writeInt32BE(value, 4 * i));
  return Buffer.concat([padded(address), padded(`,${'i'.repeat(values.length)}`), body]);
}

export async function oscPeer() {
  const socket = createSocket('udp4');
  const replies = [];
  socket.on('message', (data) => {
    for (const message of parsePacket(new Uint8Array(data))) replies.push(message);
  });
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    replies,
    send: (port, address, ...values) => new Promise((resolve, reject) => {
      socket.send(intMessage(address, ...values), port, '127.0.0.1', (err) => (err ? reject(err) : resolve()));
    }),
    close: () => socket.close(),
  };
}

/** The pitches that the replies leave sounding, over every performer: what the page's keyboard must show. */
export function soundingPitches(replies) {
  const sounding = new Map(); // `${address prefix}:${pitch}`
  for (const {address, args} of replies) {
    const performer = address.replace(/\/note(on|off)$/, '');
    if (address.endsWith('/noteon')) sounding.set(`${performer}:${args[0]}`, args[0]);
    else if (address.endsWith('/noteoff')) sounding.delete(`${performer}:${args[0]}`);
  }
  return [...new Set(sounding.values())].sort((a, b) => a - b);
}
