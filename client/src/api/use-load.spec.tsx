import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { useLoad } from './use-load';

describe('useLoad', () => {
  it('keeps a failure as an error (no data made up), and a reload that succeeds clears it', async () => {
    const load = vi.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValue(['a']);
    const { result } = renderHook(() => useLoad(load, []));
    await waitFor(() => expect(result.current.error).toBeInstanceOf(Error));
    expect(result.current.data).toBeUndefined();
    expect(result.current.loading).toBe(false);

    await act(() => result.current.reload());
    expect(result.current.data).toEqual(['a']);
    expect(result.current.error).toBeNull();
  });

  it('keeps the last data when a later load fails', async () => {
    const load = vi.fn().mockResolvedValueOnce(['a']).mockRejectedValue(new Error('down'));
    const { result } = renderHook(() => useLoad(load, []));
    await waitFor(() => expect(result.current.data).toEqual(['a']));
    await act(() => result.current.reload());
    expect(result.current.data).toEqual(['a']);
    expect(result.current.error).toBeInstanceOf(Error);
  });

  it('drops the answer of an older load that arrives after a newer one', async () => {
    let resolveOld: (v: string) => void = () => undefined;
    const load = vi
      .fn()
      .mockImplementationOnce(() => new Promise<string>((r) => (resolveOld = r)))
      .mockResolvedValue('new');
    const { result } = renderHook(() => useLoad<string>(load, []));
    await act(() => result.current.reload());
    expect(result.current.data).toBe('new');
    await act(async () => resolveOld('old'));
    expect(result.current.data).toBe('new');
  });

  it('loads again when its dependencies change', async () => {
    const load = vi.fn(async (id: string) => `unit ${id}`);
    const { result, rerender } = renderHook(({ id }) => useLoad(() => load(id), [id]), {
      initialProps: { id: '1' },
    });
    await waitFor(() => expect(result.current.data).toBe('unit 1'));
    rerender({ id: '2' });
    await waitFor(() => expect(result.current.data).toBe('unit 2'));
  });
});
