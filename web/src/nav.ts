/**
 * A tiny hash router: `#/login`, `#/signup`, `#/forgot`, `#/account`, `#/org`, and
 * `#/secure?token=…` (the "This wasn't me" link of security emails). Steps inside a
 * flow (the emailed code, the MFA challenge, enrollment, recovery codes) are screens without a
 * URL of their own: a reload or the back button returns to the page the flow started from.
 */
let render: () => Promise<void> = async () => {};

export function setRenderer(renderer: () => Promise<void>): void {
  render = renderer;
}

export const currentPath = (): string => location.hash.replace(/^#/, '') || '/';

/** Shows the page at `path` and resolves once it is on screen (its data loaded). */
export async function go(path: string): Promise<void> {
  // pushState does not fire `hashchange`: the page is rendered once, here.
  if (currentPath() !== path) history.pushState(null, '', `#${path}`);
  await render();
}
