import { All, Controller, Get, Post } from '@nestjs/common';
import { RouteTable } from './route-table';

@Controller('projects')
class ProjectsRoutes {
  @Post()
  register() {}
  @Post(':id/capacity')
  declare() {}
  @Get(':id')
  show() {}
}

@Controller()
class OperationsRoutes {
  @Get('health')
  health() {}
  @Get(['audit/log', 'audit/journal'])
  log() {}
}

@Controller('hooks')
class HooksRoutes {
  @All(':name')
  receive() {}
}

const table = RouteTable.fromControllers([ProjectsRoutes, OperationsRoutes, HooksRoutes]);

describe('RouteTable', () => {
  it('knows every route the controllers declare, with its pattern', () => {
    expect(table.match('GET', '/projects/nmg')).toEqual({
      pattern: '/projects/:id',
      allowed: new Set(['GET', 'HEAD', 'OPTIONS']),
      routed: true,
    });
    expect(table.match('POST', '/projects/nmg/capacity')?.pattern).toBe('/projects/:id/capacity');
    expect(table.match('POST', '/projects')?.routed).toBe(true);
    expect(table.match('GET', '/audit/journal')?.pattern).toBe('/audit/journal');
  });

  it('says which methods a path takes when it does not take the one asked', () => {
    expect(table.match('DELETE', '/projects/nmg')).toEqual({
      pattern: '/projects/:id',
      allowed: new Set(['GET', 'HEAD', 'OPTIONS']),
      routed: false,
    });
    expect(table.match('GET', '/projects')?.allowed).toEqual(new Set(['POST', 'OPTIONS']));
  });

  it('lets HEAD follow GET, and a route for every method take them all', () => {
    expect(table.match('HEAD', '/health')?.routed).toBe(true);
    expect(table.match('HEAD', '/projects')?.routed).toBe(false);
    expect(table.match('DELETE', '/hooks/deploy')?.routed).toBe(true);
  });

  it('matches as Express does: any case, an optional trailing slash, one segment per parameter', () => {
    expect(table.match('GET', '/Projects/nmg/')?.pattern).toBe('/projects/:id');
    expect(table.match('GET', '/projects/a%2Fb')?.pattern).toBe('/projects/:id');
    expect(table.match('GET', '/projects/nmg/offtakes')).toBeUndefined();
    expect(table.match('GET', '/nowhere')).toBeUndefined();
    expect(table.match('GET', '/projects.')).toBeUndefined();
  });
});
