import { leaderConnectionString } from './eventstoredb-connection';

describe('leaderConnectionString', () => {
  const leader = { address: '10.0.0.3', port: 2113 };

  it('points a single node at the leader it named, keeping credentials and options', () => {
    expect(
      leaderConnectionString('esdb://admin:changeit@10.0.0.1:2113?tls=true&defaultDeadline=800', leader),
    ).toBe('esdb://admin:changeit@10.0.0.3:2113?tls=true&defaultDeadline=800');
    expect(leaderConnectionString('esdb://db', leader)).toBe('esdb://10.0.0.3:2113');
  });

  it('rediscovers a cluster preferring the leader, in place of any other preference', () => {
    expect(leaderConnectionString('esdb+discover://cluster.local:2113?tls=false', leader)).toBe(
      'esdb+discover://cluster.local:2113?tls=false&nodePreference=leader',
    );
    expect(
      leaderConnectionString('esdb://a:2113,b:2113,c:2113?node_preference=follower&tls=false', leader),
    ).toBe('esdb://a:2113,b:2113,c:2113?tls=false&nodePreference=leader');
  });
});
