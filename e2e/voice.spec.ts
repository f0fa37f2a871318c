import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import config, { chromiumPath } from '../playwright.config.js';
import { type ServedApp, serveApp } from './support/serveApp.js';

/**
 * Voice in the browser (serve mode, a real host and voice worker), with Chromium's fake microphone
 * playing a recording of real speech. On the test machine there is a VAD model but no speech-to-text
 * model and no Piper voice, so the tier is TTS_ONLY: the microphone controls are disabled (saying why),
 * and replies are spoken by the system voice (espeak-ng). The tests that listen need the STT model.
 */

const modelsDir = process.env.ASSISTANT_MODELS_DIR;
// The shared test data sits next to the shared models folder.
const dataDir = modelsDir ? path.join(path.dirname(modelsDir), 'data') : '';
const wav = dataDir ? path.join(dataDir, 'speech', 'generated-espeak', 'vad_two_utterances_espeak.wav') : '';
const hasWav = wav !== '' && fs.existsSync(wav);
const vadModel = modelsDir ? path.join(modelsDir, 'silero-vad', 'silero_vad.onnx') : '';
const hasVad = vadModel !== '' && fs.existsSync(vadModel);
const tinyModel = modelsDir ? path.join(modelsDir, 'stories260k', 'stories260K.gguf') : '';
const hasTinyModel = tinyModel !== '' && fs.existsSync(tinyModel);
const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;
const sttModel = 'sherpa-onnx-streaming-zipformer-en-2023-06-26';
const hasStt = modelsDir !== undefined && fs.existsSync(path.join(modelsDir, sttModel));
const needsStt = `needs the speech-to-text model ${sttModel} in ASSISTANT_MODELS_DIR: without it the microphone controls are disabled`;

const projectArgs = config.projects?.find((project) => project.name === 'chromium')?.use?.launchOptions?.args ?? [];
const timeout = 60_000;

// Launch options are per worker: the fake microphone plays the recording for every test here, and the
// denied-microphone test launches its own browser without the fake consent UI.
test.use({
  launchOptions: {
    executablePath: chromiumPath,
    args: [...projectArgs, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', ...(hasWav ? [`--use-file-for-fake-audio-capture=${wav}`] : []), '--autoplay-policy=no-user-gesture-required'],
  },
});

function banner(page: Page) {
  return page.locator('.voice-banner');
}

/** Opens the app in hands-free mode, waits until it hears the recording, and sends a message; the transcript. */
async function sendHandsFree(page: Page, url: string) {
  await page.goto(url);
  await expect(page.getByRole('checkbox', { name: 'Hands-free' })).toBeChecked({ timeout });
  const transcript = page.locator('.voice-transcript');
  await expect(transcript).toContainText('Speech detected', { timeout });
  await page.getByRole('textbox', { name: 'Message' }).fill('Once upon a time');
  await page.getByRole('button', { name: 'Send' }).click();
  return transcript;
}

/** Once the reply is complete: its sentences as written, and how many of them the voice spoke. */
async function sentencesWrittenAndSpoken(page: Page): Promise<{ sentences: number; spoken: number }> {
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  const replyText = (await page.getByRole('log').locator('.message-assistant').last().textContent()) ?? '';
  return { sentences: replyText.split(/[.!?]+\s/).length, spoken: Number(await page.locator('.voice-transcript').getAttribute('data-spoken-sentences')) };
}

test.describe('voice with a microphone playing real speech', () => {
  test.skip(!modelsDir, 'needs ASSISTANT_MODELS_DIR (the shared data folder is found next to it)');
  test.skip(!hasWav, `needs speech/generated-espeak/vad_two_utterances_espeak.wav in ${dataDir || '<ASSISTANT_MODELS_DIR>/../data'}`);
  test.skip(!hasVad, 'needs silero-vad/silero_vad.onnx in ASSISTANT_MODELS_DIR');
  test.skip(!hasTinyModel, 'needs stories260k/stories260K.gguf in ASSISTANT_MODELS_DIR');
  test.skip(!hasEspeak, 'needs espeak-ng installed (the system voice on Linux)');

  let app: ServedApp;
  test.beforeEach(async () => {
    app = await serveApp({ modelsDir });
  });
  test.afterEach(async () => {
    await app?.stop();
  });

  test('without a speech-to-text model: the microphone and Hands-free are disabled with the reason, the banner offers the model, typed replies are spoken', async ({ page }) => {
    test.skip(hasStt, 'the speech-to-text model is installed here');
    test.setTimeout(3 * timeout);
    await page.goto(app.url);
    await expect(banner(page)).toHaveAttribute('data-tier', 'TTS_ONLY', { timeout });
    await expect(banner(page)).toContainText('Type your message; replies are still spoken (no speech-to-text model is installed).');
    // Installing is what helps, not Retry; the install button opens the model's download, as on the setup screen.
    await expect(banner(page).getByRole('button', { name: 'Retry' })).toHaveCount(0);
    const install = banner(page).getByRole('button', { name: 'Install the speech-to-text model' });
    await install.click();
    await expect(install).toHaveAttribute('aria-expanded', 'true');
    await expect(banner(page).getByRole('button', { name: /^Download Streaming Zipformer/ })).toBeVisible();

    const reason = 'No speech-to-text model is installed.';
    const mic = page.getByRole('button', { name: 'Push to talk' });
    await expect(mic).toBeDisabled();
    await expect(mic).toHaveAttribute('title', reason);
    await expect(mic).toHaveAccessibleDescription(reason);
    const handsFree = page.getByRole('checkbox', { name: 'Hands-free' });
    await expect(handsFree).toBeDisabled();
    await expect(handsFree).not.toBeChecked();
    await expect(handsFree).toHaveAccessibleDescription(reason);
    // Both controls are described by the same one element.
    await expect(page.getByText(reason, { exact: true })).toHaveCount(1);
    await page.screenshot({ path: test.info().outputPath('voice-no-stt.png') });

    await expect(page.getByRole('checkbox', { name: 'Read replies aloud' })).toBeChecked();
    await page.getByRole('textbox', { name: 'Message' }).fill('Once upon a time');
    await page.getByRole('button', { name: 'Send' }).click();
    const transcript = page.locator('.voice-transcript');
    await expect(transcript.getByText('Speaking (system voice)')).toBeVisible({ timeout });
    await expect(transcript.getByRole('button', { name: 'Stop speaking' })).toBeVisible();
    await page.screenshot({ path: test.info().outputPath('voice-speaking.png') });
    await expect.poll(async () => Number(await transcript.getAttribute('data-spoken-sentences')), { timeout }).toBeGreaterThan(0);
  });

  test('in hands-free mode the microphone control stays on screen', async ({ page }) => {
    await app.client.call('settings.update', { voiceMode: 'handsFree' });
    await page.goto(app.url);
    if (!hasStt) await expect(banner(page)).toHaveAttribute('data-tier', 'TTS_ONLY', { timeout });
    const mic = page.getByRole('button', { name: 'Hands-free microphone' });
    await expect(mic).toBeVisible();
    if (hasStt) {
      await expect(mic).toHaveAttribute('aria-pressed', 'true', { timeout });
      await mic.click();
      await expect(mic).toHaveAttribute('aria-pressed', 'false');
    } else {
      await expect(mic).toBeDisabled();
      await expect(mic).toHaveAccessibleDescription('No speech-to-text model is installed.');
    }
  });

  test('stopping an answer also silences the sentences already queued for speech', async ({ page }) => {
    test.setTimeout(3 * timeout);
    // A long answer: far more sentences are queued than are spoken by the time Stop is pressed.
    await app.client.call('settings.update', { maxTokens: 3000 });
    await page.goto(app.url);
    await expect(page.getByRole('checkbox', { name: 'Read replies aloud' })).toBeChecked({ timeout });
    await page.getByRole('textbox', { name: 'Message' }).fill('Tell me a long story');
    await page.getByRole('button', { name: 'Send' }).click();
    const transcript = page.locator('.voice-transcript');
    await expect(transcript.getByText('Speaking (system voice)')).toBeVisible({ timeout });
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(page.getByRole('log').locator('.message-assistant').last().getByText('Stopped')).toBeVisible();
    // Silent at once, and it stays silent: no queued sentence is played after the Stop.
    await expect(transcript.getByText('Speaking (system voice)')).toHaveCount(0, { timeout: 5_000 });
    const spoken = Number(await transcript.getAttribute('data-spoken-sentences'));
    await page.waitForTimeout(3_000);
    expect(Number(await transcript.getAttribute('data-spoken-sentences'))).toBe(spoken);
  });

  test('hands-free listens and shows what it hears', async ({ page }) => {
    test.skip(!hasStt, needsStt);
    test.setTimeout(3 * timeout);
    await page.goto(app.url);
    await expect(banner(page)).toHaveCount(0, { timeout });
    // Keyboard only: the switch is a checkbox.
    const handsFree = page.getByRole('checkbox', { name: 'Hands-free' });
    await handsFree.focus();
    await page.keyboard.press('Space');
    await expect(handsFree).toBeChecked();
    await expect(page.getByRole('button', { name: 'Push to talk' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Hands-free microphone' })).toHaveAttribute('aria-pressed', 'true');
    // The listening line (Listening…, Hearing you…, or the words so far), never an error in its place.
    const line = page.locator('.voice-transcript .voice-line');
    await expect(line).toHaveText(/\S/, { timeout });
    await expect(line).not.toContainText('no speech-to-text model');
    await expect(page.locator('.voice-error')).toHaveCount(0);
  });

  test('barge-in: speech while the assistant talks stops the voice and the reply', async ({ page }) => {
    test.skip(!hasStt, needsStt);
    test.setTimeout(3 * timeout);
    // 'on' regardless of echo cancellation: the recording loops, so its next utterance interrupts.
    await app.client.call('settings.update', { bargeIn: 'on', voiceMode: 'handsFree' });
    const transcript = await sendHandsFree(page, app.url);
    await expect(transcript.getByText('Speaking (system voice)')).toBeVisible({ timeout });
    await expect(transcript.getByText('Speaking (system voice)')).toHaveCount(0, { timeout });
    // The tiny model usually finishes writing before the interruption (else the reply shows "Stopped"):
    // what matters is that the voice fell silent long before the reply's last sentence.
    const { sentences, spoken } = await sentencesWrittenAndSpoken(page);
    expect(sentences).toBeGreaterThan(4);
    expect(spoken).toBeLessThan(sentences - 2);
  });

  test('default barge-in without echo cancellation: the microphone is muted while the reply is spoken', async ({ page }) => {
    // The rule itself is unit-tested (apps/desktop/test/unit/bargeIn.test.ts); this is the whole path.
    test.skip(!hasStt, needsStt);
    test.setTimeout(3 * timeout);
    // The browser reports no echo cancellation (a microphone and speakers that would hear each other): with
    // the default bargeIn 'auto' the assistant must not hear itself, so no frame is sent while it speaks and
    // the looping recording cannot interrupt the reply.
    await page.addInitScript(() => {
      const settings = MediaStreamTrack.prototype.getSettings;
      MediaStreamTrack.prototype.getSettings = function (this: MediaStreamTrack) {
        return { ...settings.call(this), echoCancellation: false };
      };
      // What the page sends and when it speaks, in its own order of events (no timing involved).
      const log: string[] = [];
      (window as unknown as { voiceLog: string[] }).voiceLog = log;
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
        if (typeof data === 'string' && data.includes('"voice.listen"')) log.push('listen');
        return send.call(this, data);
      };
      let speaking = false;
      new MutationObserver(() => {
        const now = document.querySelector('.voice-transcript')?.textContent?.includes('Speaking (') ?? false;
        if (now !== speaking) log.push(now ? 'speaking' : 'silent');
        speaking = now;
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    expect((await app.client.call('settings.get', {})).bargeIn).toBe('auto');
    // A reply of several sentences, short enough to be spoken in a few seconds.
    await app.client.call('settings.update', { voiceMode: 'handsFree', maxTokens: 200 });
    const transcript = await sendHandsFree(page, app.url);
    const speaking = transcript.getByText('Speaking (system voice)');
    await expect(speaking).toBeVisible({ timeout });
    await expect(speaking).toHaveCount(0, { timeout: 3 * timeout });
    const { sentences, spoken } = await sentencesWrittenAndSpoken(page);
    expect(sentences).toBeGreaterThan(4);
    // Nothing interrupted it: the whole reply was spoken (the counts may differ by how a last fragment splits).
    expect(spoken).toBeGreaterThanOrEqual(sentences - 1);
    // Once it has finished speaking, the microphone is live again.
    await expect.poll(async () => (await page.evaluate(() => (window as unknown as { voiceLog: string[] }).voiceLog)).lastIndexOf('listen') > (await page.evaluate(() => (window as unknown as { voiceLog: string[] }).voiceLog)).lastIndexOf('silent'), { timeout }).toBe(true);
    const log = await page.evaluate(() => (window as unknown as { voiceLog: string[] }).voiceLog);
    const during = log.slice(log.indexOf('speaking'), log.indexOf('silent', log.indexOf('speaking')));
    // The microphone was live before it spoke; while it spoke, at most a batch already under way went out.
    expect(log.slice(0, log.indexOf('speaking'))).toContain('listen');
    expect(during.filter((entry) => entry === 'listen').length).toBeLessThanOrEqual(1);
  });

  test('push-to-talk held with the keyboard listens, then releases the turn', async ({ page }) => {
    test.skip(!hasStt, needsStt);
    await page.goto(app.url);
    await expect(page.getByRole('button', { name: 'Push to talk' })).toBeEnabled({ timeout });
    const button = page.getByRole('button', { name: 'Push to talk' });
    await button.focus();
    await page.keyboard.down('Space');
    await expect(button).toHaveAttribute('aria-pressed', 'true', { timeout });
    await expect(page.locator('.voice-transcript')).toContainText(/Listening…|Speech detected/);
    // ~4 s of the recording: its first utterance.
    await page.waitForTimeout(4_000);
    await page.keyboard.up('Space');
    await expect(button).toHaveAttribute('aria-pressed', 'false');
    await expect(page.locator('.voice-error')).toHaveCount(0);
  });
});

test.describe('a microphone unplugged mid-turn', () => {
  test.skip(!modelsDir || !hasWav || !hasVad || !hasTinyModel || !hasEspeak, 'needs the shared speech data, silero-vad, stories260K and espeak-ng (see above)');
  test.skip(!hasStt, needsStt);

  let app: ServedApp;
  test.beforeEach(async () => {
    app = await serveApp({ modelsDir });
  });
  test.afterEach(async () => {
    await app?.stop();
  });

  test('says the microphone was disconnected, keeps the tier that still works, and the chat goes on', async ({ page }) => {
    // Keep a handle on every microphone track the page opens, to "unplug" it: Chromium fires 'ended'.
    await page.addInitScript(() => {
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      const tracks: MediaStreamTrack[] = [];
      (window as unknown as { __micTracks: MediaStreamTrack[] }).__micTracks = tracks;
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        const stream = await original(constraints);
        tracks.push(...stream.getAudioTracks());
        return stream;
      };
    });
    await page.goto(app.url);
    await expect(page.getByRole('checkbox', { name: 'Hands-free' })).toBeEnabled({ timeout });
    await page.getByRole('checkbox', { name: 'Hands-free' }).check();
    const transcript = page.locator('.voice-transcript');
    await expect(transcript).toContainText(/Listening…|Speech detected/, { timeout });
    await page.evaluate(() => {
      for (const track of (window as unknown as { __micTracks: MediaStreamTrack[] }).__micTracks) track.dispatchEvent(new Event('ended'));
    });
    await expect(banner(page)).toContainText('the microphone was disconnected', { timeout });
    await expect(banner(page)).toHaveAttribute('data-tier', 'TTS_ONLY');
    // Typing still works and the reply is still spoken.
    await page.getByRole('textbox', { name: 'Message' }).fill('Once upon a time');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByRole('log').locator('.message-assistant .message-text').last()).not.toBeEmpty({ timeout });
    await expect.poll(async () => Number(await transcript.getAttribute('data-spoken-sentences')), { timeout }).toBeGreaterThan(0);
  });
});

test.describe('voice without microphone permission', () => {
  test.skip(!modelsDir, 'needs ASSISTANT_MODELS_DIR (the voice models are found there)');
  test.skip(!hasStt, needsStt);
  test.skip(!hasVad, 'needs silero-vad/silero_vad.onnx in ASSISTANT_MODELS_DIR');

  let app: ServedApp;
  test.beforeEach(async () => {
    app = await serveApp({ modelsDir });
  });
  test.afterEach(async () => {
    await app?.stop();
  });

  test('a denied microphone lands in the tier that says so', async ({ playwright }) => {
    // A fake device but no fake consent UI: headless Chromium answers the permission prompt with a denial.
    const browser = await playwright.chromium.launch({ executablePath: chromiumPath, args: [...projectArgs, '--use-fake-device-for-media-stream'] });
    const page = await browser.newPage();
    await page.goto(app.url);
    await expect(banner(page)).toBeVisible({ timeout });
    await page.getByRole('checkbox', { name: 'Hands-free' }).check();
    await expect(banner(page)).toContainText('microphone access was denied', { timeout });
    await expect(banner(page)).toHaveAttribute('data-tier', /TTS_ONLY|TEXT_ONLY/);
    await expect(page.locator('.voice-transcript')).not.toContainText('Listening…');
    await browser.close();
  });
});
