import type { AuditEvent, AuditKind, AuditVerifyResult, LocalApiState, NetworkState, RemoteBackendState } from '@assistant/core';
import type { StoreApi } from 'zustand';
import type { AssistantState } from '../store';
import { unavailableMessage } from './settingsSlice';

export interface AuditFilter {
  kinds: AuditKind[];
  text: string;
  /** Epoch ms, or null for all time. */
  since: number | null;
}

export interface AuditView {
  filter: AuditFilter;
  events: AuditEvent[];
  loading: boolean;
  /** A full page came back, so older rows may exist. */
  hasMore: boolean;
  error: string | null;
  verify: AuditVerifyResult | null;
  verifying: boolean;
}

/** What the user can check about privacy: outbound connections, API status, and the audit log. */
export interface TrustSlice {
  network: NetworkState | null;
  networkError: string | null;
  api: { local: LocalApiState; remote: RemoteBackendState } | null;
  audit: AuditView;

  /** Network and API state; called on connect (the status bar count) and when the panel opens. */
  loadTrust(): Promise<void>;
  onNetworkChanged(state: NetworkState): void;
  onApiChanged(state: { local: LocalApiState; remote: RemoteBackendState }): void;
  loadAudit(filter?: AuditFilter): Promise<void>;
  loadOlderAudit(): Promise<void>;
  onAuditAppended(event: AuditEvent): void;
  verifyAudit(): Promise<void>;
}

type SetState = StoreApi<AssistantState>['setState'];
type GetState = StoreApi<AssistantState>['getState'];

export const auditPageSize = 100;
let auditSeq = 0;

/** The same test the host applies, so live rows only appear when they match what is shown. */
export function matchesAuditFilter(event: AuditEvent, filter: AuditFilter): boolean {
  if (filter.kinds.length > 0 && !filter.kinds.includes(event.kind)) return false;
  if (filter.since !== null && event.time < filter.since) return false;
  return !filter.text.trim() || event.summary.toLowerCase().includes(filter.text.trim().toLowerCase());
}

function query(filter: AuditFilter, beforeSeq?: number) {
  return {
    ...(filter.kinds.length > 0 ? { kinds: filter.kinds } : {}),
    ...(filter.text.trim() ? { text: filter.text.trim() } : {}),
    ...(filter.since !== null ? { since: filter.since } : {}),
    ...(beforeSeq !== undefined ? { beforeSeq } : {}),
    limit: auditPageSize,
  };
}

export function createTrustSlice(set: SetState, get: GetState): TrustSlice {
  function patchAudit(patch: Partial<AuditView>): void {
    set((s) => ({ audit: { ...s.audit, ...patch } }));
  }

  return {
    network: null,
    networkError: null,
    api: null,
    audit: { filter: { kinds: [], text: '', since: null }, events: [], loading: false, hasMore: false, error: null, verify: null, verifying: false },

    async loadTrust() {
      const client = get().client;
      if (!client) return;
      // Each on its own: one missing on the host must not hide the other.
      await Promise.all([
        client.call('network.getState', {}).then(
          (network) => set({ network, networkError: null }),
          (error: unknown) => set({ networkError: unavailableMessage(error, 'The network log') }),
        ),
        client.call('api.getState', {}).then(
          (api) => set({ api }),
          () => set({ api: null }),
        ),
      ]);
    },

    onNetworkChanged(network) {
      set({ network, networkError: null });
    },

    onApiChanged(api) {
      set({ api });
    },

    async loadAudit(filter = get().audit.filter) {
      const client = get().client;
      if (!client) return;
      const seq = ++auditSeq;
      patchAudit({ filter, loading: true, error: null });
      try {
        const { events } = await client.call('audit.list', query(filter));
        if (seq === auditSeq) patchAudit({ events, loading: false, hasMore: events.length >= auditPageSize });
      } catch (error) {
        if (seq === auditSeq) patchAudit({ events: [], loading: false, hasMore: false, error: unavailableMessage(error, 'The audit log') });
      }
    },

    async loadOlderAudit() {
      const client = get().client;
      const { events, filter, loading } = get().audit;
      const oldest = events.at(-1);
      if (!client || loading || !oldest) return;
      const seq = ++auditSeq;
      patchAudit({ loading: true });
      try {
        const older = await client.call('audit.list', query(filter, oldest.seq));
        if (seq === auditSeq) set((s) => ({ audit: { ...s.audit, events: [...s.audit.events, ...older.events], loading: false, hasMore: older.events.length >= auditPageSize } }));
      } catch (error) {
        if (seq === auditSeq) patchAudit({ loading: false, error: unavailableMessage(error, 'The audit log') });
      }
    },

    onAuditAppended(event) {
      set((s) => {
        const { events, filter } = s.audit;
        // Newest first; a row already there (the list and the event crossed) is not shown twice.
        if (!matchesAuditFilter(event, filter) || events.some((row) => row.seq === event.seq)) return {};
        return { audit: { ...s.audit, events: [event, ...events] } };
      });
    },

    async verifyAudit() {
      const client = get().client;
      if (!client) return;
      patchAudit({ verifying: true, verify: null });
      try {
        patchAudit({ verify: await client.call('audit.verify', {}), verifying: false });
      } catch (error) {
        patchAudit({ verifying: false, verify: { ok: false, rows: 0, firstBadSeq: null, problem: null, message: unavailableMessage(error, 'Verifying the audit log') } });
      }
    },
  };
}
