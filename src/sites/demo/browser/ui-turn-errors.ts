/** Why a turn driven through the demo chat UI must start over; none means the site has the turn. */

/** The UI bounced to the login page: the session ended. The caller logs in and starts over. */
export class UiSessionEndedError extends Error {
  constructor() {
    super('The site session ended (the UI is on its login page).');
    this.name = 'UiSessionEndedError';
  }
}

/** The page's CSRF token is from an older session; a fresh page load fixes it. */
export class UiPageStaleError extends Error {
  constructor() {
    super('The site page holds an outdated session token.');
    this.name = 'UiPageStaleError';
  }
}

/** The UI gave up on the turn before any request reached the site (its socket would not connect…). */
export class UiTurnNotSentError extends Error {
  constructor(uiMessage: string) {
    super(`The site UI failed the turn before sending it: ${uiMessage}`);
    this.name = 'UiTurnNotSentError';
  }
}
