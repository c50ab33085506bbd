import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { GatewayError } from '../../core/errors.ts';
import type { ModelCapabilities, SiteCapabilities } from '../../site-contract/site.ts';
import { type MediaInput, type MediaTarget, normalizeMedia } from './normalize-media.ts';
import { noiseImage, pngBomb, solidImage } from './test-helpers.ts';

const model: ModelCapabilities = {
  vision: true,
  files: true,
  nativeTools: false,
  reasoning: false,
  systemPrompt: true,
  maxInputChars: 10_000,
};
const site: SiteCapabilities = {
  threads: true,
  deleteThreads: true,
  uploads: true,
  acceptedMediaTypes: ['image/png', 'image/jpeg', 'application/pdf', 'text/plain'],
  maxUploadBytes: 5 * 1024 * 1024,
  models: model,
};
const target: MediaTarget = { model, site };
const param = 'messages[0].content[2]';
const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');

function input(data: Uint8Array, extra: Partial<MediaInput> = {}): MediaInput {
  return { data, partType: 'image', param, ...extra };
}

async function refusal(promise: Promise<unknown>, reason: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof GatewayError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.param, param);
    assert.match(error.message, reason);
    return true;
  });
}

async function dimensions(data: Uint8Array) {
  const meta = await sharp(data).metadata();
  return { width: meta.width, height: meta.height, format: meta.format };
}

describe('normalizeMedia: images', () => {
  test('an accepted image within limits goes through byte for byte', async () => {
    const png = await solidImage('png');
    const result = await normalizeMedia(input(png, { claimedType: 'image/png', filename: 'a.png' }), target);
    assert.equal(result.kind, 'media');
    assert.ok(result.kind === 'media');
    assert.equal(result.data, png);
    assert.equal(result.mediaType, 'image/png');
    assert.equal(result.converted, false);
    assert.equal(result.filename, 'a.png');
  });

  test('WebP is converted to PNG when the site takes only PNG', async () => {
    const webp = await solidImage('webp');
    const result = await normalizeMedia(input(webp, { claimedType: 'image/webp' }), {
      model,
      site: { ...site, acceptedMediaTypes: ['image/png'] },
    });
    assert.ok(result.kind === 'media');
    assert.equal(result.mediaType, 'image/png');
    assert.equal(result.converted, true);
    assert.deepEqual(await dimensions(result.data), { width: 32, height: 24, format: 'png' });
  });

  test('GIF and TIFF become PNG, AVIF becomes JPEG, when not accepted', async () => {
    for (const [format, expected] of [
      ['gif', 'image/png'],
      ['tiff', 'image/png'],
      ['avif', 'image/jpeg'],
    ] as const) {
      const result = await normalizeMedia(input(await solidImage(format)), target);
      assert.ok(result.kind === 'media');
      assert.equal(result.mediaType, expected, format);
    }
  });

  test('an image larger than the dimension limit is downscaled, keeping its aspect ratio', async () => {
    const big = await solidImage('png', 3000, 1500);
    const result = await normalizeMedia(input(big), { ...target, limits: { maxImageDimension: 1000 } });
    assert.ok(result.kind === 'media');
    assert.equal(result.mediaType, 'image/png');
    assert.deepEqual(await dimensions(result.data), { width: 1000, height: 500, format: 'png' });
  });

  test('an image heavier than the upload limit is re-encoded until it fits', async () => {
    const heavy = await noiseImage('png', 700, 700); // ~1.4 MB of incompressible pixels
    const limit = 200 * 1024;
    const result = await normalizeMedia(input(heavy), { model, site: { ...site, maxUploadBytes: limit } });
    assert.ok(result.kind === 'media');
    assert.ok(result.data.byteLength <= limit, `${result.data.byteLength} > ${limit}`);
    assert.equal(result.mediaType, 'image/png');
    const meta = await dimensions(result.data);
    assert.ok((meta.width ?? 0) < 700);
  });

  test('a decompression bomb is refused without being decoded', async () => {
    const bomb = pngBomb(20_000, 20_000); // 400 megapixels in ~50 KB
    assert.ok(bomb.byteLength < 100_000);
    const started = performance.now();
    await refusal(normalizeMedia(input(bomb), target), /too many pixels|more pixels than can be decoded/);
    assert.ok(performance.now() - started < 1000, 'refused from the header, not after decoding');
  });

  test('a bomb within the pixel limit but over the dimension limit is still downscaled safely', async () => {
    const wide = pngBomb(6000, 1000);
    const result = await normalizeMedia(input(wide), target);
    assert.ok(result.kind === 'media');
    assert.deepEqual(await dimensions(result.data), { width: 4096, height: 683, format: 'png' });
  });

  test('a corrupt image is a clear 400', async () => {
    const png = await solidImage('png');
    const corrupt = new Uint8Array(png.byteLength);
    corrupt.set(png.subarray(0, 16));
    await refusal(
      normalizeMedia(input(corrupt), target),
      /an image \(image\/png\) that could not be decoded/,
    );
  });

  test('a model without vision refuses images, naming the reason', async () => {
    const png = await solidImage('png');
    await refusal(
      normalizeMedia(input(png), { model: { ...model, vision: false }, site }),
      /does not accept images \(no vision\)/,
    );
  });

  test('an image type the site does not take and cannot be converted into is refused', async () => {
    const webp = await solidImage('webp');
    const onlyPdf = { ...site, acceptedMediaTypes: ['application/pdf'] };
    await refusal(
      normalizeMedia(input(webp), { model, site: onlyPdf }),
      /image \(image\/webp\) that this site does not accept/,
    );
  });
});

describe('normalizeMedia: media type claims', () => {
  test('text claimed as an image is the wrong media type', async () => {
    const text = new TextEncoder().encode('definitely not a png');
    await refusal(
      normalizeMedia(input(text, { claimedType: 'image/png' }), target),
      /wrong media type: it was sent as image\/png but the bytes are text/,
    );
  });

  test('a PDF sent as an image part is the wrong media type', async () => {
    await refusal(
      normalizeMedia(input(pdf, { partType: 'image' }), target),
      /is not an image: the bytes are application\/pdf/,
    );
  });

  test('random bytes claimed as JPEG are the wrong media type', async () => {
    const noise = Uint8Array.from({ length: 256 }, (_, i) => (i * 151 + 7) & 0xff);
    await refusal(
      normalizeMedia(input(noise, { claimedType: 'image/jpeg' }), target),
      /not a recognisable image/,
    );
  });

  test('SVG claims get their own message', async () => {
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"></svg>');
    await refusal(
      normalizeMedia(input(svg, { claimedType: 'image/svg+xml' }), target),
      /SVG image, which is not supported/,
    );
  });

  test('a non-image claim on image bytes trusts the bytes', async () => {
    const png = await solidImage('png');
    const result = await normalizeMedia(
      input(png, { partType: 'file', claimedType: 'application/pdf' }),
      target,
    );
    assert.ok(result.kind === 'media');
    assert.equal(result.type, 'image');
    assert.equal(result.mediaType, 'image/png');
  });

  test('zero bytes are refused', async () => {
    await refusal(normalizeMedia(input(new Uint8Array(0)), target), /empty \(zero bytes\)/);
  });
});

describe('normalizeMedia: documents and text', () => {
  test('a PDF goes to a site that takes files', async () => {
    const result = await normalizeMedia(input(pdf, { partType: 'file', filename: 'doc.pdf' }), target);
    assert.ok(result.kind === 'media');
    assert.equal(result.type, 'file');
    assert.equal(result.mediaType, 'application/pdf');
    assert.equal(result.data, pdf);
  });

  test('a PDF is refused for a model without files, and when oversized', async () => {
    const noFiles = { model: { ...model, files: false }, site };
    await refusal(normalizeMedia(input(pdf, { partType: 'file' }), noFiles), /PDF files are not supported/);
    const tiny = { model, site: { ...site, maxUploadBytes: 10 } };
    await refusal(
      normalizeMedia(input(pdf, { partType: 'file' }), tiny),
      /too large \(.*the site accepts up to 10 bytes\)/,
    );
  });

  test('text is uploaded as a file where the site takes text', async () => {
    const md = new TextEncoder().encode('# Title\n\nbody\n');
    const result = await normalizeMedia(input(md, { partType: 'file', filename: 'notes.md' }), {
      model,
      site: { ...site, acceptedMediaTypes: ['text/*'] },
    });
    assert.ok(result.kind === 'media');
    assert.equal(result.mediaType, 'text/markdown');
  });

  test('text is inlined as a fenced block when the model cannot take files', async () => {
    const csv = new TextEncoder().encode('\uFEFFa,b\n1,```\n');
    const result = await normalizeMedia(
      input(csv, { partType: 'file', filename: 'data.csv', claimedType: 'text/csv' }),
      {
        model: { ...model, files: false },
        site,
      },
    );
    assert.ok(result.kind === 'text');
    assert.equal(result.mediaType, 'text/csv');
    assert.equal(result.text, 'Attached file "data.csv" (text/csv):\n````\na,b\n1,```\n````');
  });

  test('JSON and code keep their type through the inline path', async () => {
    const json = new TextEncoder().encode('{"a": 1}');
    const noFiles = { model: { ...model, files: false }, site };
    const result = await normalizeMedia(input(json, { partType: 'file', filename: 'x.json' }), noFiles);
    assert.ok(result.kind === 'text');
    assert.match(result.text, /^Attached file "x\.json" \(application\/json\):\n```\n\{"a": 1\}\n```$/);
  });

  test('text too long for the prompt is refused', async () => {
    const long = new TextEncoder().encode('x'.repeat(20_000));
    const noFiles = { model: { ...model, files: false }, site };
    await refusal(
      normalizeMedia(input(long, { partType: 'file' }), noFiles),
      /too long to include in the prompt \(limit 10,000\)/,
    );
  });

  test('unknown binary and unsupported types are refused', async () => {
    const blob = Uint8Array.from([0, 1, 2, 3, 0, 0, 0, 255, 254, 0]);
    await refusal(normalizeMedia(input(blob, { partType: 'file' }), target), /could not be identified/);
    const zip = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...new Array<number>(60).fill(0)]);
    await refusal(
      normalizeMedia(input(zip, { partType: 'file' }), target),
      /application\/zip files are not supported/,
    );
  });
});
