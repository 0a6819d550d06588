import express, { json } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  correlateRequests,
  correlationIdOf,
  currentCorrelationId,
  writingForRequest,
} from './request-context';

describe('correlateRequests', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const app = express();
    app.use(correlateRequests);
    app.use(json());
    // a handler after the body parser and an await, as Nest's are
    app.post('/', async (request, response) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      response.json({ handled: correlationIdOf(request) });
    });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const send = async (correlationId: string, size: number) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
      body: JSON.stringify({ padding: 'x'.repeat(size) }),
    });
    return { header: response.headers.get('x-correlation-id'), ...((await response.json()) as object) };
  };

  it('gives each request’s handler the id its response carries, under concurrent requests', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, index) => send(`c-${index}`, index * 1000)),
    );
    expect(answers).toEqual(
      Array.from({ length: 50 }, (_, index) => ({ header: `c-${index}`, handled: `c-${index}` })),
    );
  });
});

describe('writingForRequest', () => {
  it('names the request for the lines written inside it only', () => {
    expect(currentCorrelationId()).toBeUndefined();
    const inside = writingForRequest('outer', () => [
      currentCorrelationId(),
      writingForRequest('inner', () => currentCorrelationId()),
      currentCorrelationId(),
    ]);
    expect(inside).toEqual(['outer', 'inner', 'outer']);
    expect(currentCorrelationId()).toBeUndefined();
    expect(() =>
      writingForRequest('failing', () => {
        throw new Error('logging failed');
      }),
    ).toThrow('logging failed');
    expect(currentCorrelationId()).toBeUndefined();
  });
});
