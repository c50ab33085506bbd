import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { DemoSite } from '../index.ts';
import { sha256Hex } from '../reply-script.ts';
import { SiteClient, startTestSite } from '../testing/site-client.ts';

const MINIMAL_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
    'trailer<</Root 1 0 R>>\n%%EOF\n',
);

async function errorCode(res: Response): Promise<[number, string]> {
  const body = (await res.json()) as { error: { code: string } };
  return [res.status, body.error.code];
}

describe('uploads', () => {
  let site: DemoSite;
  let client: SiteClient;
  before(async () => {
    site = await startTestSite({
      maxUploadBytes: 64 * 1024,
      accounts: [
        { username: 'demo', password: 'demo-password' },
        { username: 'ana', password: 'ana-secret' },
      ],
    });
    client = await SiteClient.login(site);
  });
  after(() => site.close());

  test('images are sniffed and decoded for their dimensions', async () => {
    for (const [format, type] of [
      ['png', 'image/png'],
      ['jpeg', 'image/jpeg'],
      ['webp', 'image/webp'],
      ['gif', 'image/gif'],
    ] as const) {
      const data = await sharp({ create: { width: 7, height: 3, channels: 3, background: '#0a0' } })
        .toFormat(format)
        .toBuffer();
      const res = await client.upload(data, `pic.${format}`, type);
      assert.equal(res.status, 201, format);
      const file = (await res.json()) as Record<string, unknown>;
      assert.match(String(file.id), /^file_/);
      assert.deepEqual(
        { ...file, id: 'x' },
        {
          id: 'x',
          name: `pic.${format}`,
          size: data.length,
          mediaType: type,
          sha256: sha256Hex(data),
          width: 7,
          height: 3,
        },
      );
      const meta = await client.json(`/api/files/${file.id}`);
      assert.deepEqual(meta.body, file);
    }
  });

  test('text types and PDF are accepted; a generic claimed type falls back to the extension', async () => {
    const cases: Array<[Buffer, string, string, string]> = [
      [Buffer.from('hello'), 'a.txt', 'text/plain', 'text/plain'],
      [Buffer.from('# Title'), 'a.md', 'text/markdown', 'text/markdown'],
      [Buffer.from('{"a":1}'), 'a.json', 'application/json', 'application/json'],
      [Buffer.from('a,b\n1,2'), 'a.csv', 'application/octet-stream', 'text/csv'],
      [MINIMAL_PDF, 'doc.pdf', 'application/pdf', 'application/pdf'],
    ];
    for (const [data, name, claimed, expected] of cases) {
      const res = await client.upload(data, name, claimed);
      assert.equal(res.status, 201, name);
      assert.equal(((await res.json()) as { mediaType: string }).mediaType, expected);
    }
  });

  test('refusals: unsupported type, type mismatch, bad image, empty file, too large', async () => {
    const uploadsBefore = site.stats().uploads;
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const zip = Buffer.from([
      0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    const brokenPng = Buffer.concat([png.subarray(0, 33), Buffer.alloc(40, 0xff)]);
    const cases: Array<[Buffer, string, string, [number, string]]> = [
      [
        Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
        'a.svg',
        'image/svg+xml',
        [415, 'unsupported_type'],
      ],
      [Buffer.from('<html></html>'), 'a.html', 'text/html', [415, 'unsupported_type']],
      [zip, 'a.zip', 'application/zip', [415, 'unsupported_type']],
      [png, 'a.jpg', 'image/jpeg', [415, 'unsupported_type']],
      [Buffer.from([0xff, 0xfe, 0x00, 0x41]), 'bin.txt', 'text/plain', [415, 'unsupported_type']],
      [Buffer.from('definitely not an image'), 'a.png', 'image/png', [400, 'bad_image']],
      [brokenPng, 'broken.png', 'image/png', [400, 'bad_image']],
      [Buffer.alloc(0), 'empty.txt', 'text/plain', [400, 'empty_file']],
      [Buffer.alloc(64 * 1024 + 1, 0x61), 'big.txt', 'text/plain', [413, 'file_too_large']],
    ];
    for (const [data, name, type, expected] of cases) {
      assert.deepEqual(await errorCode(await client.upload(data, name, type)), expected, name);
    }
    assert.equal(site.stats().uploads, uploadsBefore, 'refusals never count as uploads');
  });

  test('not multipart, or no "file" field → clear 4xx', async () => {
    assert.deepEqual(await errorCode(await client.request('/api/files', { json: { file: 'x' } })), [
      415,
      'unsupported_media_type',
    ]);
    const form = new FormData();
    form.append('other', new Blob(['x'], { type: 'text/plain' }), 'x.txt');
    assert.deepEqual(await errorCode(await client.request('/api/files', { method: 'POST', body: form })), [
      400,
      'bad_request',
    ]);
  });

  test('files belong to the account that uploaded them', async () => {
    const file = (await (await client.upload(Buffer.from('secret'), 's.txt', 'text/plain')).json()) as {
      id: string;
    };
    const other = await SiteClient.login(site, 'ana', 'ana-secret');
    assert.equal((await other.json(`/api/files/${file.id}`)).status, 404);
    const res = await other.chat({ model: 'vision-1', text: 'look', fileIds: [file.id] });
    assert.equal(res.status, 404);
    assert.equal((res.error as { error: { code: string } }).error.code, 'file_not_found');
  });

  test('the uploaded bytes can be fetched back', async () => {
    const data = Buffer.from('round trip');
    const file = (await (await client.upload(data, 'r.txt', 'text/plain')).json()) as { id: string };
    const res = await client.request(`/api/files/${file.id}/content`);
    assert.equal(res.headers.get('content-type'), 'text/plain');
    assert.equal(await res.text(), 'round trip');
  });
});
