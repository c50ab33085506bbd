import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RequestGuard } from '../auth/guard.ts';
import type { SiteContext } from '../context.ts';
import { DemoError } from '../errors.ts';
import { sha256Hex } from '../reply-script.ts';
import { fileJson, type StoredFile } from '../store/files.ts';
import { inspectUpload } from '../uploads/inspect-upload.ts';

type FileParams = { Params: { id: string } };

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

export function registerFileRoutes(app: FastifyInstance, ctx: SiteContext, guard: RequestGuard): void {
  const limit = ctx.options.maxUploadBytes;

  const fileOrThrow = (request: FastifyRequest, id: string): StoredFile => {
    const file = ctx.files.get(guard.sessionOf(request).username, id);
    if (!file) throw new DemoError(404, 'file_not_found', `No file ${id}.`);
    return file;
  };

  app.post('/api/files', async (request, reply) => {
    const owner = guard.sessionOf(request).username;
    if (!request.isMultipart()) {
      throw new DemoError(
        415,
        'unsupported_media_type',
        'Upload files as multipart/form-data (field "file").',
      );
    }
    const part = await request.file({ limits: { fileSize: limit, files: 1 } });
    if (part?.fieldname !== 'file') {
      throw new DemoError(400, 'bad_request', 'Expected one file in the multipart field "file".');
    }
    let data: Buffer;
    try {
      data = await part.toBuffer();
    } catch (error) {
      if (hasCode(error, 'FST_REQ_FILE_TOO_LARGE')) {
        throw new DemoError(413, 'file_too_large', `The file is larger than ${limit} bytes.`);
      }
      throw error;
    }
    const inspected = await inspectUpload(data, part.mimetype, part.filename);
    const file = ctx.files.add(owner, {
      name: part.filename || 'upload',
      size: data.length,
      sha256: sha256Hex(data),
      data,
      ...inspected,
    });
    ctx.stats.increment('uploads');
    return reply.code(201).send(fileJson(file));
  });

  app.get<FileParams>('/api/files/:id', async (request) => fileJson(fileOrThrow(request, request.params.id)));

  app.get<FileParams>('/api/files/:id/content', async (request, reply) => {
    const file = fileOrThrow(request, request.params.id);
    return reply
      .type(file.mediaType)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, max-age=3600')
      .send(file.data);
  });
}
