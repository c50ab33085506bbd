/** Who is calling: every request gets one, so multi-user features can grow from it. */
export interface Principal {
  userId: string;
  /** Stable, non-secret id of the API key (a hash prefix); scopes conversations and stored responses. */
  keyId: string;
  keyName: string;
}
