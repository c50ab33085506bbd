/** A model as the gateway lists it: named `site/model` (or an alias), whatever dialect asks. */
export interface PublicModel {
  id: string;
  displayName: string;
  /** The site instance that serves it; becomes OpenAI's `owned_by`. */
  site: string;
  /** Unix seconds. */
  createdAt: number;
}
