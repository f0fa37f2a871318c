import { AssistantError } from '@assistant/core';
import { expect } from 'vitest';

/** The AssistantError a promise rejects with (the test fails if it resolves or rejects with anything else). */
export async function failure(promise: Promise<unknown>): Promise<AssistantError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AssistantError);
  return error as AssistantError;
}
