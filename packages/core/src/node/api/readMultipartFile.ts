import type http from 'node:http';
import busboy from 'busboy';

export interface MultipartFile {
  file: Buffer;
  /** The other (text) fields of the form. */
  fields: Record<string, string>;
}

/** What went wrong, for the caller to answer with 400 or 413. */
export class MultipartError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

/**
 * Reads a multipart/form-data upload (OpenAI's /v1/audio/transcriptions: a `file` part plus text fields)
 * with busboy, holding at most `maxBytes` of the file: a larger one is refused as soon as it passes the limit.
 */
export function readMultipartFile(req: http.IncomingMessage, options: { field: string; maxBytes: number }): Promise<MultipartFile> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: options.maxBytes, fields: 20, fieldSize: 10_000 } });
    } catch (error) {
      reject(new MultipartError(400, `The request must be multipart/form-data with a "${options.field}" part (${(error as Error).message}).`, options.field));
      return;
    }
    const fields: Record<string, string> = {};
    const chunks: Buffer[] = [];
    let found = false;
    let failed = false;
    const fail = (error: MultipartError) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      reject(error);
    };
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream) => {
      if (name !== options.field) {
        stream.resume();
        return;
      }
      found = true;
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(new MultipartError(413, `The uploaded file is larger than ${options.maxBytes / (1024 * 1024)} MB.`, options.field)));
    });
    parser.on('error', (error: Error) => fail(new MultipartError(400, `The multipart body is malformed: ${error.message}.`)));
    parser.on('close', () => {
      if (failed) return;
      if (!found) return fail(new MultipartError(400, `The form has no "${options.field}" part: send the audio as ${options.field}.`, options.field));
      resolve({ file: Buffer.concat(chunks), fields });
    });
    req.pipe(parser);
  });
}
