import { emptyIdSet, idSetHas, withId } from './persistent-id-set';

describe('PersistentIdSet', () => {
  it('holds what was added to it', () => {
    const set = withId(withId(emptyIdSet(), 'lot:a'), 'lot:b');
    expect(idSetHas(set, 'lot:a')).toBe(true);
    expect(idSetHas(set, 'lot:b')).toBe(true);
    expect(idSetHas(set, 'lot:c')).toBe(false);
    expect(idSetHas(emptyIdSet(), 'lot:a')).toBe(false);
  });

  it('leaves earlier versions as they were', () => {
    const before = withId(emptyIdSet(), 'lot:a');
    const after = withId(before, 'lot:b');
    expect(idSetHas(before, 'lot:b')).toBe(false);
    expect(idSetHas(after, 'lot:b')).toBe(true);
  });

  it('branches from an earlier version without either branch seeing the other', () => {
    const base = withId(withId(emptyIdSet(), 'lot:a'), 'lot:b');
    const first = withId(withId(base, 'lot:c'), 'lot:d');
    const second = withId(base, 'lot:e');
    expect([...['lot:a', 'lot:b', 'lot:c', 'lot:d', 'lot:e']].map((id) => idSetHas(first, id))).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(['lot:a', 'lot:b', 'lot:c', 'lot:d', 'lot:e'].map((id) => idSetHas(second, id))).toEqual([
      true,
      true,
      false,
      false,
      true,
    ]);
    // both branches go on growing independently
    const firstLater = withId(first, 'lot:e');
    const secondLater = withId(second, 'lot:c');
    expect(idSetHas(firstLater, 'lot:e') && idSetHas(secondLater, 'lot:c')).toBe(true);
    expect(idSetHas(second, 'lot:c')).toBe(false);
    expect(idSetHas(first, 'lot:e')).toBe(false);
  });

  it('keeps an id added twice from its first addition', () => {
    const once = withId(emptyIdSet(), 'lot:a');
    const twice = withId(withId(once, 'lot:b'), 'lot:a');
    const branch = withId(once, 'lot:c');
    expect(idSetHas(twice, 'lot:a')).toBe(true);
    expect(idSetHas(branch, 'lot:a')).toBe(true);
    expect(idSetHas(branch, 'lot:b')).toBe(false);
  });

  it('matches a plain set under random additions to random versions', () => {
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    const versions = [{ set: emptyIdSet(), ids: new Set<string>() }];
    for (let step = 0; step < 2000; step++) {
      // mostly the newest version, as a command handler does; sometimes an older one
      const from = random(10) < 8 ? versions.length - 1 : random(versions.length);
      const id = `id:${random(300)}`;
      const { set, ids } = versions[from]!;
      versions.push({ set: withId(set, id), ids: new Set(ids).add(id) });
    }
    for (const { set, ids } of versions.filter((_, index) => index % 37 === 0)) {
      for (let id = 0; id < 300; id++) expect(idSetHas(set, `id:${id}`)).toBe(ids.has(`id:${id}`));
    }
  });
});
