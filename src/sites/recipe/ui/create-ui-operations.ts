import type { RecipeUiOperations } from '../recipe-site.ts';
import { UiOperations, type UiOperationsOptions } from './ui-operations.ts';

/** The UI half of a recipe site, driving pages of a browser account. */
export function createUiOperations(options: UiOperationsOptions): RecipeUiOperations {
  return new UiOperations(options);
}
