/**
 * A tiny hash router: `#/login`, `#/signup`, `#/forgot`, `#/account`, `#/org`, and
 * `#/secure?token=…` (the "This wasn't me" link of security emails). Steps inside a flow (the
 * emailed code, the MFA challenge, enrollment, recovery codes) have no URL of their own: the
 * first step of a flow adds one history entry (same URL, `{ flow: true }`), so the browser's
 * Back leaves the flow for the page it started from, and a reload shows that page.
 */
let render: () => Promise<void> = async () => {};
// True while render() draws the page of a URL: what it shows is a page, not a flow step.
let routing = false;

export function setRenderer(renderer: () => Promise<void>): void {
  render = async () => {
    routing = true;
    try {
      await renderer();
    } finally {
      routing = false;
    }
  };
}

export const currentPath = (): string => location.hash.replace(/^#/, '') || '/';

const inFlow = (): boolean => (history.state as { flow?: boolean } | null)?.flow === true;

// Set by asPage() for the screen about to be shown.
let page = false;

// A screen that must not be left by Back yet (recovery codes not recorded): true when it held.
let hold: (() => boolean) | undefined;

/** Called by every new screen: a flow's first step gets its own history entry. */
export function screenShown(): void {
  if (!routing && !page && !inFlow()) history.pushState({ flow: true }, '', location.href);
  page = false;
  hold = undefined;
}

/**
 * Keeps the screen just shown through Back and Forward while `held()` says so (it tells the
 * person why): recovery codes shown once must not vanish behind a Back press.
 */
export function holdScreen(held: () => boolean): void {
  hold = held;
}

/**
 * A page shown directly (the sign-in after a sign-out, the sign-up form from "Start over"):
 * the address bar names it, and it is a page of the history rather than a flow step.
 */
export function asPage(path: string): void {
  if (routing || inFlow()) history.replaceState(null, '', `#${path}`);
  else if (currentPath() !== path) history.pushState(null, '', `#${path}`);
  page = true;
}

/**
 * Shows the page at `path` and resolves once it is on screen (its data loaded). Leaving a flow
 * replaces its entry, so Back after a finished flow does not step into it again.
 */
export async function go(path: string): Promise<void> {
  if (inFlow()) history.replaceState(null, '', `#${path}`);
  else if (currentPath() !== path) history.pushState(null, '', `#${path}`);
  await render();
}

/** Redraws the page of the current URL (Back, Forward, an address typed in). */
export async function rerender(): Promise<void> {
  if (hold?.()) {
    // Back already moved off the screen's entry: put one back, so the next Back asks again.
    history.pushState({ flow: true }, '', location.href);
    return;
  }
  await render();
}
