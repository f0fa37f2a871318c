import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/common/CircuitBreaker.js';

function breakerWithClock() {
  let now = 1_000;
  const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 60_000, now: () => now });
  const states: string[] = [];
  breaker.onDidChangeState((state) => states.push(state));
  return { breaker, states, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after three consecutive failures, not before', () => {
    const { breaker } = breakerWithClock();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.retryAt).toBe(61_000);
  });

  it('a success resets the count', () => {
    const { breaker } = breakerWithClock();
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
  });

  it('lets exactly one half-open probe through after the open period', () => {
    const { breaker, states, advance } = breakerWithClock();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    advance(59_999);
    expect(breaker.tryAcquire()).toBe(false);
    advance(1);
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(false);
    breaker.recordSuccess();
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed probe opens it for another period', () => {
    const { breaker, advance } = breakerWithClock();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    advance(60_000);
    breaker.tryAcquire();
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('reset closes it at once (the Retry button)', () => {
    const { breaker } = breakerWithClock();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    breaker.reset();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });
});
