import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseRecipe } from './load-recipe.ts';
import type { Recipe } from './recipe-schema.ts';

export interface WatchRecipeOptions {
  /** A version that fails to load (its RecipeError names the lines); the previous version stays. */
  onError?: (error: Error) => void;
  /** Quiet time after the last change before reloading (editors write in several steps). */
  debounceMs?: number;
}

export interface RecipeWatcher {
  /** The version in force (the last one that loaded). */
  readonly current: Recipe;
  close(): void;
}

/**
 * Loads a recipe file and reloads it whenever it changes; `onChange` receives each new version that
 * loads. A broken edit is reported through `onError` and ignored, so the last good version keeps
 * serving. The directory is watched rather than the file, because editors often save by writing a
 * new file and renaming it over the old one.
 */
export async function watchRecipe(
  path: string,
  onChange: (recipe: Recipe) => void,
  options: WatchRecipeOptions = {},
): Promise<RecipeWatcher> {
  const file = resolve(path);
  const name = basename(file);
  let text = await readFile(file, 'utf8');
  let current = parseRecipe(text, name);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let reloading = Promise.resolve();

  const reload = async () => {
    let next: string;
    try {
      next = await readFile(file, 'utf8');
    } catch (error) {
      // Mid-rename the file may be briefly missing; the rename's own event reloads it.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') options.onError?.(error as Error);
      return;
    }
    if (closed || next === text) return;
    text = next;
    try {
      current = parseRecipe(next, name);
    } catch (error) {
      options.onError?.(error as Error);
      return;
    }
    onChange(current);
  };

  const watcher: FSWatcher = watch(dirname(file), (_event, changed) => {
    if (closed || (changed !== null && changed !== name)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      reloading = reloading.then(reload);
    }, options.debounceMs ?? 100);
  });
  watcher.on('error', (error) => options.onError?.(error));

  return {
    get current() {
      return current;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}
