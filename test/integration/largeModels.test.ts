import { describe, expect, it } from 'vitest';
import { send, startHost } from '../support/hostHarness.js';
import { modelFile } from '../support/models.js';

// The default chat model of the manifest (1.1 GB) cannot be brought onto small CI machines; where it is
// present (ASSISTANT_MODELS_DIR/<id>/<file>, as `models pull` lays it out) these run for real.
const chatModelFile = 'qwen2.5-1.5b-instruct-q4_k_m/qwen2.5-1.5b-instruct-q4_k_m.gguf';
const chatModel = modelFile(chatModelFile);

describe.skipIf(!chatModel)(`the default chat model (needs ${chatModelFile} in ASSISTANT_MODELS_DIR)`, () => {
  it('answers a factual question, using its chat template and several threads', async () => {
    const harness = await startHost({ model: chatModel });
    try {
      await harness.client.call('settings.update', { temperature: 0, maxTokens: 32 });
      const { result } = await send(harness.client, 'What is the capital of France? Answer with one word.');
      expect(result.message.text).toMatch(/Paris/i);
      const state = await harness.client.call('app.getState', {});
      expect(state.chatModel.contextSize).toBeGreaterThanOrEqual(4096);
    } finally {
      await harness.close();
    }
  });

  it('remembers what was said earlier in the conversation', async () => {
    const harness = await startHost({ model: chatModel });
    try {
      await harness.client.call('settings.update', { temperature: 0, maxTokens: 32 });
      const { conversationId } = await send(harness.client, 'My name is Ada and I live in Lisbon. Reply with OK.');
      const { result } = await send(harness.client, 'What is my name? Answer with one word.', { conversationId });
      expect(result.message.text).toMatch(/Ada/);
    } finally {
      await harness.close();
    }
  });
});
