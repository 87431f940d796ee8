import { buildWeb } from '../../web/build.ts';

/** The browser tests load the client as `npm start` serves it: built from web/src now, never a stale dist. */
export default async function setup() {
  await buildWeb();
}
