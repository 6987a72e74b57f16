/**
 * Every verb's tests (success and failure, both modes, explain) once more, each request over
 * HTTP through the real Node server on a free port instead of straight to the router.
 */
import { afterAll, expect } from 'vitest';
import { callOverHttp, httpServersStarted } from '../api/client.js';

callOverHttp();
// the tests below really went through HTTP: one server per Api they built
afterAll(() => expect(httpServersStarted()).toBeGreaterThan(50));
await import('../api/verbs.test.js');
await import('../api/stateless.test.js');
await import('../api/explain.test.js');
await import('../api/go-client.test.js');
