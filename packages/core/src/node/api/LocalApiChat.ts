import { AdmissionQueue, QueueFullError } from '../../common/scheduling/AdmissionQueue.js';
import type { Settings } from '../../common/settings.js';
import { plural } from '../../common/text/plural.js';
import type { ChatModelService } from '../host/ChatModelService.js';
import type { MetricsService } from '../metrics/MetricsService.js';
import { ReplyMeter } from '../../common/chat/ReplyMeter.js';
import type { SettingsStore } from '../settings/SettingsStore.js';
import { apiChatInput, checkReplyFitsContext, settingPlace } from './apiChatInput.js';
import { type LocalChat, generateLocally } from './generateLocally.js';
import { HttpError } from './HttpError.js';
import type { LocalApiHandlers } from './LocalApiServer.js';

export interface LocalApiChatOptions extends LocalChat {
  chatModel: LocalChat['chatModel'] & Pick<ChatModelService, 'state'>;
  settings: Pick<SettingsStore, 'get'>;
  /** Each answered request's figures, for /metrics and Diagnostics. */
  metrics?: Pick<MetricsService, 'apiReply'> | null;
}

/** Retry-After before any reply finished (then: the typical reply's time per running slot). */
const unmeasuredRetryMs = 5_000;

/**
 * Chat completions for the local API: each request within the settings' limits, at API priority, through a
 * bounded queue. As many run at once as the worker has context sequences for API clients (all but the one
 * kept for the user), `apiMaxQueued` more wait, and the rest are refused with 429 and Retry-After, so a
 * flood of requests gets quick answers instead of piling up in the worker.
 */
export class LocalApiChat {
  readonly queue: AdmissionQueue;

  constructor(private readonly options: LocalApiChatOptions) {
    this.queue = new AdmissionQueue(() => {
      const settings = options.settings.get();
      return { running: Math.max(1, settings.contextSequences - 1), waiting: settings.apiMaxQueued };
    });
  }

  readonly handle: LocalApiHandlers['chat'] = async (request, { signal, onText }) => {
    const { chatModel } = this.options;
    // Measured as a chat reply is, from the request's arrival (its wait in the queue included).
    const meter = new ReplyMeter(() => performance.now());
    const settings = this.options.settings.get();
    const input = apiChatInput(request, settings);
    // Known only while the model is loaded; checked again once it is.
    checkReplyFitsContext(request, chatModel.state.contextSize);
    const result = await this.queue
      .run(async () => {
        if (!chatModel.readyClient()) await chatModel.ensureLoaded(signal);
        checkReplyFitsContext(request, chatModel.state.contextSize);
        return generateLocally(this.options, input, {
          signal,
          onItem: (item) => {
            meter.text(item.text, item.tokens);
            onText(item.text);
          },
        });
      }, signal)
      .catch((error: unknown) => {
        throw error instanceof QueueFullError ? this.queueFull(error, settings) : error;
      });
    this.options.metrics?.apiReply(meter.finish({ stopReason: result.stopReason, passages: 0, passageTokens: 0, engine: result }));
    // A reply stopped by its token or wall-time limit was cut off: OpenAI calls both "length".
    const cutOff = result.stopReason === 'maxTokens' || result.stopReason === 'timeLimit';
    return { text: result.text, finishReason: cutOff ? 'length' : 'stop', promptTokens: result.promptTokens, completionTokens: result.completionTokens, model: chatModel.state.name ?? 'local' };
  };

  private queueFull(error: QueueFullError, settings: Settings): HttpError {
    // A waiting place frees when a running reply ends: about a typical reply's time per slot.
    const slots = Math.max(1, settings.contextSequences - 1);
    const retrySeconds = Math.min(settings.apiMaxReplySeconds, Math.max(1, Math.ceil(this.queue.typicalRunMs(unmeasuredRetryMs) / slots / 1000)));
    const who = error.waiting === 0 ? 'The model is busy and no local API request may wait' : `${plural(error.waiting, 'request')} ${error.waiting === 1 ? 'is' : 'are'} already waiting for the model, the most the local API lets wait`;
    return new HttpError(429, `${who}: try again later, or raise ${settingPlace('apiMaxQueued')}.`, 'rate_limit_error', null, { headers: { 'Retry-After': String(retrySeconds) }, code: 'rate_limit_exceeded' });
  }
}
