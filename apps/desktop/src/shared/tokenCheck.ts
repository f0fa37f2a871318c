/**
 * Browser mode: a page cannot read why its WebSocket upgrade failed, so after a failure it asks the serve
 * mode here whether its token is still the host's: 204 yes (retry), 401 refused (an old link, or the host
 * restarted with a new token). The token travels in this header, never in the URL.
 */
export const tokenCheckPath = '/rpc/check';
export const tokenCheckHeader = 'x-assistant-token';
