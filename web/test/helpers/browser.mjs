// Debian's Chromium driven by playwright-core: headless, sandbox and GPU off, nothing phoning home, a fresh
// profile directory per context. Requests to anything but this machine are aborted and recorded.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {chromium} from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--autoplay-policy=no-user-gesture-required',
];

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** -> {context, external: [urls that were blocked], close()}. allowHosts: more host names that count as this
 * machine (its LAN address, as a phone on the Wi-Fi would open it). */
export async function openContext({allowHosts = [], ...options} = {}) {
  const local = new Set([...LOCAL_HOSTS, ...allowHosts]);
  const profile = mkdtempSync(join(tmpdir(), 'pianogenie-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    ...options,
  });
  const external = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) && !local.has(url.hostname)) {
      external.push(url.href);
      return route.abort('internetdisconnected');
    }
    return route.continue();
  });
  return {
    context,
    external,
    async close() {
      await context.close();
      rmSync(profile, {recursive: true, force: true});
    },
  };
}
