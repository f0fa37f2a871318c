import { createRpcClient, createWebSocketTransport, hostContract, toDisposable, type RpcTransport } from '@assistant/core';
import type { AssistantBridge } from '../../shared/bridge';
import { tokenCheckHeader, tokenCheckPath } from '../../shared/tokenCheck';
import { useAssistant, type HostClient } from './store';

const tokenKey = 'assistant.token';
const maxRetryDelayMs = 10_000;

let attempt = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let connecting = false;
/** Fallback when sessionStorage is unavailable (storage disabled), so the session still works. */
let memoryToken: string | null = null;

/** Connects once at startup: Electron's preload bridge if present, else the loopback WebSocket of serve mode. */
export function startConnection(): void {
  const bridge = window.assistantBridge;
  if (bridge) {
    void wire(createRpcClient(hostContract, bridgeTransport(bridge)));
    return;
  }
  reconnectNow();
}

/** The banner's Reconnect button, and the backoff timer. */
export function reconnectNow(): void {
  clearTimeout(retryTimer);
  const token = readToken();
  if (!token) {
    useAssistant.getState().detach('no-token');
    return;
  }
  void connectBrowser(token);
}

/** The IPC bridge lives as long as the window, so it never closes. */
function bridgeTransport(bridge: AssistantBridge): RpcTransport {
  return {
    send: (message) => bridge.send(message),
    onMessage: (listener) => toDisposable(bridge.onMessage(listener)),
    onClose: () => toDisposable(() => {}),
    close: () => {},
  };
}

async function connectBrowser(token: string): Promise<void> {
  if (connecting || useAssistant.getState().client) return;
  connecting = true;
  let socket: WebSocket;
  try {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = await openSocket(`${scheme}//${location.host}/rpc?token=${encodeURIComponent(token)}`);
  } catch {
    // A refused token and a stopped host look the same to a WebSocket: ask which it was.
    const refused = (await checkToken(token)) === 'refused';
    connecting = false;
    useAssistant.getState().detach(refused ? 'refused' : 'disconnected');
    if (!refused) scheduleRetry();
    return;
  }
  connecting = false;
  attempt = 0;
  const client = createRpcClient(hostContract, createWebSocketTransport(socket));
  client.onClose(() => {
    client.dispose();
    useAssistant.getState().detach('disconnected');
    scheduleRetry();
  });
  await wire(client);
}

function wire(client: HostClient): Promise<void> {
  const store = useAssistant.getState;
  // These subscriptions end with the client: a reconnect wires a fresh one.
  client.on('app.stateChanged', (state) => store().setAppState(state));
  client.on('conversations.changed', ({ conversationId }) => void store().onConversationChanged(conversationId));
  client.on('documents.changed', (change) => store().onDocumentChanged(change));
  client.on('voice.changed', (state) => store().onVoiceChanged(state));
  client.on('network.changed', (state) => store().onNetworkChanged(state));
  client.on('api.changed', (state) => store().onApiChanged(state));
  client.on('audit.appended', (event) => store().onAuditAppended(event));
  client.on('settings.changed', (change) => store().onSettingsChanged(change));
  client.on('models.changed', (list) => store().onModelsChanged(list));
  client.on('app.changedOutside', (change) => store().onChangedOutside(change));
  return store().attach(client);
}

function scheduleRetry(): void {
  clearTimeout(retryTimer);
  const delay = Math.min(1000 * 2 ** attempt, maxRetryDelayMs);
  attempt++;
  retryTimer = setTimeout(reconnectNow, delay);
}

/** Whether serve mode still accepts the token; 'unknown' when it cannot be reached (stopped, restarting). */
async function checkToken(token: string): Promise<'accepted' | 'refused' | 'unknown'> {
  try {
    const response = await fetch(tokenCheckPath, { headers: { [tokenCheckHeader]: token }, cache: 'no-store' });
    return response.status === 401 ? 'refused' : response.ok ? 'accepted' : 'unknown';
  } catch {
    return 'unknown';
  }
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    // A refused token (403) and a stopped host look the same here: both close before 'open'.
    socket.addEventListener('open', () => resolve(socket), { once: true });
    socket.addEventListener('close', () => reject(new Error('The connection was refused or closed.')), { once: true });
  });
}

/**
 * The token arrives once in the URL printed by the host. It moves to sessionStorage and out of the
 * address bar, so a reload still works and the token is not left in history or screenshots.
 */
function readToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    memoryToken = fromUrl;
    try {
      sessionStorage.setItem(tokenKey, fromUrl);
    } catch {
      // Storage disabled: the in-memory copy serves this page's lifetime.
    }
    url.searchParams.delete('token');
    history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(tokenKey) ?? memoryToken;
  } catch {
    return memoryToken;
  }
}
