import { z } from 'zod';

/**
 * Every setting, its default, range and help text. Stored settings are validated field by field, so one
 * bad value falls back to its default without discarding the others.
 */
export const settingsSchema = z.object({
  chatModel: z.string().min(1).nullable().default(null).describe('Chat model: a name from `models list` or a path to a GGUF file. Empty means the only installed chat model.'),
  threads: z.number().int().min(0).max(256).default(0).describe('CPU threads for inference; 0 chooses from the machine and the model.'),
  contextSize: z.number().int().min(0).max(131_072).default(0).describe("Context window in tokens; 0 uses the model's training context, capped at 4096."),
  maxTokens: z.number().int().min(1).max(32_768).default(1024).describe('Longest reply, in tokens.'),
  temperature: z.number().min(0).max(2).default(0.7).describe('Sampling temperature; 0 always picks the likeliest token.'),
  systemPrompt: z.string().max(8000).default('You are a helpful, concise assistant running entirely on this computer.').describe('Instructions given to the model before every conversation.'),
});

export type Settings = z.output<typeof settingsSchema>;
export type SettingsPatch = Partial<Settings>;
export const settingsPatchSchema = settingsSchema.partial().strict();

export const defaultSettings: Settings = settingsSchema.parse({});

/** Settings that only take effect when the model is reloaded. */
export const modelReloadSettings = ['chatModel', 'threads', 'contextSize'] as const satisfies readonly (keyof Settings)[];
