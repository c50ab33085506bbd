import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import sharp from 'sharp';
import { type Stack, startStack } from '../support/start-stack.ts';
import { isUiMode, SITE_TRANSPORTS } from '../support/site-transports.ts';

const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

for (const transport of SITE_TRANSPORTS) {
  describe(`images and files through every front door — ${transport.name}`, () => {
    let stack: Stack;
    let openai: OpenAI;
    let png: Buffer;
    let imageServer: Server;
    let imageUrl: string;
    let imageServerHits = 0;
    before(async () => {
      png = await sharp({ create: { width: 12, height: 9, channels: 3, background: '#3a7' } })
        .png()
        .toBuffer();
      imageServer = createServer((_req, res) => {
        imageServerHits++;
        res.writeHead(200, { 'content-type': 'text/plain' }); // the gateway sniffs the bytes instead
        res.end(png);
      });
      await new Promise<void>((resolve) => imageServer.listen(0, '127.0.0.1', resolve));
      imageUrl = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}/cat.png`;
      stack = await startStack({
        site: transport.site,
        config: { attachments: { allowCidrs: ['127.0.0.1/32'] } },
      });
      openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
    });
    after(async () => {
      await stack.close();
      imageServer.close();
    });

    test('an image URL on an allow-listed host is fetched, sniffed and delivered byte for byte', async () => {
      const completion = await openai.chat.completions.create({
        model: 'demo/vision-1',
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: imageUrl, detail: 'low' } }] },
        ],
      });
      assert.ok((completion.choices[0]?.message.content ?? '').includes(sha(png)));
    });

    // The gateway hands the UI modes the same (staged) file again, but the demo UI can only attach a
    // file by uploading it: its composer has no way to pick a file already uploaded.
    const uiReuploads = isUiMode(transport)
      ? {
          skip: 'through the chat UI every attached file is uploaded again: the demo composer offers no way to attach an already uploaded file',
        }
      : {};
    test('the same image in a later turn is not uploaded again', uiReuploads, async () => {
      const dataUrl = `data:image/png;base64,${png.toString('base64')}`;
      const first: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: dataUrl } },
          ],
        },
      ];
      const a = await openai.chat.completions.create({ model: 'demo/vision-1', messages: first });
      const uploadsBefore = (await stack.demoStats()).uploads ?? 0;
      const b = await openai.chat.completions.create({
        model: 'demo/vision-1',
        messages: [
          ...first,
          { role: 'assistant', content: a.choices[0]?.message.content ?? '' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'again' },
              { type: 'image_url', image_url: { url: dataUrl } },
            ],
          },
        ],
      });
      assert.ok((b.choices[0]?.message.content ?? '').includes(sha(png)));
      assert.equal(
        (await stack.demoStats()).uploads ?? 0,
        uploadsBefore,
        'no second upload of the same bytes',
      );
    });

    test('Anthropic image (base64) and PDF document blocks reach the site intact', async () => {
      const anthropic = new Anthropic({ baseURL: stack.url, apiKey: stack.key, maxRetries: 0 });
      const message = await anthropic.messages.create({
        model: 'demo/vision-1',
        max_tokens: 300,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'image',
                source: { type: 'base64', media_type: 'image/png', data: png.toString('base64') },
              },
              {
                type: 'document',
                source: { type: 'base64', media_type: 'application/pdf', data: PDF.toString('base64') },
              },
              { type: 'text', text: 'what are these?' },
            ],
          },
        ],
      });
      const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
      assert.ok(text.includes(sha(png)), text);
      assert.ok(text.includes(sha(PDF)), text);
    });

    test('Responses input_image and input_file', async () => {
      const response = await openai.responses.create({
        model: 'demo/vision-1',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'describe' },
              {
                type: 'input_image',
                image_url: `data:image/png;base64,${png.toString('base64')}`,
                detail: 'auto',
              },
              {
                type: 'input_file',
                filename: 'doc.pdf',
                file_data: `data:application/pdf;base64,${PDF.toString('base64')}`,
              },
            ],
          },
        ],
      });
      assert.ok(response.output_text.includes(sha(png)), response.output_text);
      assert.ok(response.output_text.includes(sha(PDF)), response.output_text);
    });

    test('refusals are 400s in the caller dialect and nothing reaches the site', async () => {
      const receivedBefore = (
        (await (await fetch(`${stack.demo.url}/__control/received?limit=1000`)).json()) as {
          messages: unknown[];
        }
      ).messages.length;
      const dataUrl = `data:image/png;base64,${png.toString('base64')}`;
      await assert.rejects(
        openai.chat.completions.create({
          model: 'demo/text-1',
          messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl } }] }],
        }),
        (error: unknown) => error instanceof OpenAI.BadRequestError && /image|vision/i.test(error.message),
      );
      const hitsBefore = imageServerHits;
      const privateUrl = 'http://169.254.169.254/latest/meta-data/';
      await assert.rejects(
        openai.chat.completions.create({
          model: 'demo/vision-1',
          messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: privateUrl } }] }],
        }),
        (error: unknown) => error instanceof OpenAI.BadRequestError,
      );
      await assert.rejects(
        openai.chat.completions.create({
          model: 'demo/vision-1',
          messages: [
            { role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] },
          ],
        }),
        (error: unknown) => error instanceof OpenAI.BadRequestError,
      );
      assert.equal(imageServerHits, hitsBefore);
      const receivedAfter = (
        (await (await fetch(`${stack.demo.url}/__control/received?limit=1000`)).json()) as {
          messages: unknown[];
        }
      ).messages.length;
      assert.equal(receivedAfter, receivedBefore, 'nothing was sent to the site');
    });
  });
}

describe('URL attachments without an allow-list', () => {
  test('a loopback URL is refused before any connection', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.end('x');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const stack = await startStack();
    try {
      const openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x.png`;
      await assert.rejects(
        openai.chat.completions.create({
          model: 'demo/vision-1',
          messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
        }),
        (error: unknown) => error instanceof OpenAI.BadRequestError,
      );
      assert.equal(hits, 0);
    } finally {
      await stack.close();
      server.close();
    }
  });
});
