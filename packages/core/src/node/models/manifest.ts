import fs from 'node:fs';
import { z } from 'zod';
import { modelKindSchema } from '../../common/contract/schemas.js';
import { AssistantError, ErrorCode } from '../../common/errors.js';

export const manifestFileSchema = z.object({
  /** Relative to the model's folder. */
  path: z.string().min(1).refine((value) => !value.includes('..'), 'must stay inside the model folder'),
  url: z.url(),
  sizeBytes: z.number().int().positive().nullable(),
  approxSizeBytes: z.number().int().positive().optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  archive: z.literal('tar.bz2').optional(),
});
export type ManifestFile = z.output<typeof manifestFileSchema>;

export const manifestModelSchema = z.object({
  id: z.string().regex(/^[\w.-]+$/),
  kind: modelKindSchema,
  default: z.boolean().default(false),
  title: z.string(),
  description: z.string(),
  files: z.array(manifestFileSchema).min(1),
});
export type ManifestModel = z.output<typeof manifestModelSchema>;

export const manifestSchema = z.object({ version: z.literal(1), models: z.array(manifestModelSchema) });
export type Manifest = z.output<typeof manifestSchema>;

export function loadManifest(file: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AssistantError(ErrorCode.Internal, `Cannot read the model manifest ${file}: ${(error as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AssistantError(ErrorCode.Internal, `The model manifest ${file} is invalid at ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

export const expectedSize = (file: ManifestFile): number => file.sizeBytes ?? file.approxSizeBytes ?? 0;
