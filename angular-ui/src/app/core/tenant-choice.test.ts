import { describe, expect, it } from 'vitest';
import { chooseTenant } from './tenant-choice';

describe('chooseTenant', () => {
  it('needs no header for one tenant or none', () => {
    expect(chooseTenant(undefined, 'x')).toBeNull();
    expect(chooseTenant([{ id: 'a', role: 'admin' }], 'b')).toBeNull();
  });

  it('keeps a stored choice the user still has, else default, else the first by name', () => {
    const tenants = [{ id: 'zeta', role: 'viewer' }, { id: 'alpha', role: 'editor' }] as const;
    expect(chooseTenant(tenants, 'zeta')).toBe('zeta');
    expect(chooseTenant(tenants, 'gone')).toBe('alpha');
    expect(chooseTenant([...tenants, { id: 'default', role: 'viewer' }], null)).toBe('default');
  });
});
