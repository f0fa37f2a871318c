/** A local API refusal with its HTTP status and the OpenAI error shape's `type`, `param` and `code`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly param: string | null = null,
    /** Extra response headers (e.g. Retry-After with a 429) and the error's `code`. */
    readonly extra: { headers?: Record<string, string>; code?: string } = {},
  ) {
    super(message);
  }
}
