import 'reflect-metadata';
import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';

/**
 * The http-commands baseline: the ledger's HTTP stack (Nest 11 on Express, the same JSON body parser and
 * limit) with one route that answers 201 and does nothing else. Run as its own process by the benchmark.
 */
@Controller()
class BareController {
  @Post('bare')
  @HttpCode(201)
  bare() {
    return { streamId: 'bare', revision: '0', position: '0', eventIds: [] };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function main() {
  const app = await NestFactory.create<NestExpressApplication>(BareModule, {
    bodyParser: false,
    logger: false,
  });
  app.useBodyParser('json', { limit: 64 * 1024 });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  process.stdout.write('ready\n');
}

void main();
