import express, { json } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { correlateRequests, currentCorrelationId } from './request-context';

describe('correlateRequests', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const app = express();
    app.use(correlateRequests);
    app.use(json());
    // a handler after the body parser and an await, as Nest's are
    app.post('/', async (_request, response) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      response.json({ inContext: currentCorrelationId() ?? null });
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

  it('keeps each request’s id in scope past body parsing, under concurrent requests', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, index) => send(`c-${index}`, index * 1000)),
    );
    expect(answers).toEqual(
      Array.from({ length: 50 }, (_, index) => ({ header: `c-${index}`, inContext: `c-${index}` })),
    );
    expect(currentCorrelationId()).toBeUndefined();
  });
});
