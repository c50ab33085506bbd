import { fileTypeFromBuffer } from 'file-type';

/** What the bytes are, judged from their content alone; headers and claims are not consulted. */
export async function sniffMediaType(data: Uint8Array): Promise<string> {
  const detected = await fileTypeFromBuffer(data);
  if (detected !== undefined) return detected.mime;
  return looksLikeUtf8Text(data) ? 'text/plain' : 'application/octet-stream';
}

// Enough to judge a file without decoding megabytes of it.
const TEXT_SAMPLE_BYTES = 64 * 1024;

/**
 * Text has no magic number, so this is a heuristic: valid UTF-8 with no NUL and almost no control
 * characters other than whitespace. Binary formats fail it within the first few bytes.
 */
export function looksLikeUtf8Text(data: Uint8Array): boolean {
  const sample = data.subarray(0, TEXT_SAMPLE_BYTES);
  let text: string;
  try {
    // `stream: true` tolerates a multi-byte character cut in half by the sample boundary.
    text = new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: sample.length < data.length });
  } catch {
    return false;
  }
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0) return false;
    // Tab, LF, VT, FF, CR and ESC (ANSI colour codes in logs) are normal in text.
    if (
      (code < 0x20 &&
        code !== 9 &&
        code !== 10 &&
        code !== 11 &&
        code !== 12 &&
        code !== 13 &&
        code !== 27) ||
      code === 0x7f
    ) {
      control++;
    }
  }
  return control <= text.length / 100;
}
