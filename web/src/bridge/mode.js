// `pianogenie web --bridge`: the page shows what serve plays. The keyboard lights serve's notes (every performer,
// in the colour of the button that played them) and the button row lights the buttons pressed; the page's own
// decoder, buttons and controls are off, so every light on screen is serve's. A status line says where serve is.

import {BridgeLink} from './link.js';
import {BridgeNotes} from './notes.js';

const BRIDGE_URL = 'bridge.json';

/** The /bridge.json of `pianogenie web`: null when the page was not started with --bridge. */
export async function bridgeConfig() {
  const response = await fetch(BRIDGE_URL, {cache: 'no-store'});
  if (!response.ok) return null;
  return (await response.json()).bridge ?? null;
}

function statusText({state, address, detail, retryMs}, model, counts) {
  const retry = retryMs ? `; trying again in ${(retryMs / 1000).toFixed(retryMs < 1000 ? 2 : 0)} s` : '';
  switch (state) {
    case 'connecting': return `looking for pianogenie serve at ${address}…`;
    case 'connected': {
      const bad = counts.bad ? ` · ${counts.bad} bad frames ignored` : '';
      return `connected to serve at ${address}${model ? ` · model ${model}` : ''} · ${counts.notes} notes${bad}`;
    }
    case 'reconnecting': return `reconnecting to serve at ${address} (${detail})${retry}`;
    case 'no-websocket': return `serve at ${address} has no websocket (its [stream] extra: pip install 'pianogenie-bridge[stream]')${retry}`;
    default: return `serve not found at ${address}: start pianogenie serve (${detail})${retry}`;
  }
}

/** The model serve plays, as its OSCQuery tree gives it; '' when it cannot say. */
async function modelPlaying(address, path) {
  try {
    const response = await fetch(`http://${address}${path}?VALUE`, {cache: 'no-store'});
    const [value] = [].concat((await response.json()).VALUE); // OSCQuery VALUEs are a list, one per type tag
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

/** Turns the running app into serve's display. lights: {keyOn, keyOff, button} on the app's keyboard and buttons;
 * element: the status line. -> {link, notes} (window.genieBridge, for the tests). */
export function startBridge(config, lights, element) {
  const notes = new BridgeNotes(config.notes, lights);
  let status = {state: 'connecting', address: ''};
  let model = '';
  let link = null;
  const show = () => {
    element.textContent = statusText(status, model, {...link.counts, notes: notes.received});
    element.dataset.state = status.state;
  };
  const paths = [...config.notes.flatMap(({on, off}) => [on, off]), config.model];
  link = new BridgeLink({host: config.host, port: config.port, paths, burst: config.listen_burst,
    rate: config.listen_rate}, {
    message: (message) => {
      if (notes.has(message.address)) return notes.apply(message);
      if (message.address !== config.model || typeof message.args[0] !== 'string') return false;
      model = message.args[0]; // a swap (/genie/model s:name once it plays)
      return true;
    },
    status: (next) => {
      if (next.state !== 'connected') notes.clear();
      else modelPlaying(next.address, config.model).then((name) => { model = name || model; show(); });
      status = next;
      show();
    },
  });
  // Redrawn a few times a second, not at each frame: a burst of notes costs no layout.
  setInterval(show, 200);
  link.start();
  return {link, notes, config};
}
