import { newId } from './ids.ts';

export interface FileJson {
  id: string;
  name: string;
  size: number;
  mediaType: string;
  sha256: string;
  width?: number;
  height?: number;
}

export interface StoredFile extends FileJson {
  owner: string;
  data: Buffer;
}

export function fileJson(file: StoredFile): FileJson {
  const { owner: _owner, data: _data, ...json } = file;
  return json;
}

/** Uploaded files, each visible only to the account that uploaded it. */
export class FileStore {
  private readonly files = new Map<string, StoredFile>();

  add(owner: string, file: Omit<StoredFile, 'id' | 'owner'>): StoredFile {
    const stored: StoredFile = { ...file, id: newId('file'), owner };
    this.files.set(stored.id, stored);
    return stored;
  }

  get(owner: string, id: string): StoredFile | undefined {
    const file = this.files.get(id);
    return file?.owner === owner ? file : undefined;
  }
}
