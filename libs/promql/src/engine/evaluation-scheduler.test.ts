import { describe, expect, it } from 'vitest';
import { EvaluationScheduler, type SchedulerTask } from './evaluation-scheduler.js';

/**
 * A simulated evaluation: `slices` turns of `work` units each, recording the order in which
 * turns are granted. Nothing here depends on timing except the injected clock.
 */
async function evaluation(task: SchedulerTask, name: string, slices: number, work: number, log: string[]): Promise<void> {
  for (let i = 0; i < slices; i++) {
    task.attained += work;
    await task.turn();
    log.push(name);
  }
}

describe('EvaluationScheduler', () => {
  it('gives the next turn to the evaluation that has done the least work', async () => {
    const scheduler = new EvaluationScheduler(1e9);
    const log: string[] = [];
    // Three heavy evaluations already running, then a light one arrives.
    const heavy = ['a', 'b', 'c'].map((n) => evaluation(scheduler.begin(), n, 6, 100, log));
    const light = evaluation(scheduler.begin(), 'light', 2, 1, log);
    await Promise.all([...heavy, light]);
    // The light one is served before any heavy one gets a second turn.
    expect(log.indexOf('light')).toBeLessThan(3);
    expect(log.lastIndexOf('light')).toBeLessThan(4);
    // Heavy ones share what is left: no one runs two turns in a row while others wait.
    const rest = log.filter((n) => n !== 'light');
    for (let i = 3; i < rest.length; i += 3) expect(new Set(rest.slice(i, i + 3)).size).toBe(3);
    expect(rest.length).toBe(18);
  });

  it('serves an evaluation that waited too long before cheaper ones', async () => {
    let now = 0;
    const scheduler = new EvaluationScheduler(50, () => now);
    const log: string[] = [];
    const heavy = scheduler.begin();
    heavy.attained = 1_000_000;
    const heavyTurn = heavy.turn().then(() => log.push('heavy'));
    // A stream of light evaluations, each arriving while the heavy one waits; time passes.
    const lights: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      const t = scheduler.begin();
      t.attained = i;
      lights.push(t.turn().then(() => log.push(`light${i}`)));
    }
    now = 60;
    await Promise.all([heavyTurn, ...lights]);
    // Past the bound the longest waiter goes first, whatever its work.
    expect(log[0]).toBe('heavy');
    expect(log.slice(1)).toEqual(['light0', 'light1', 'light2', 'light3', 'light4']);
  });

  it('before the bound, orders by work and then by arrival', async () => {
    let now = 0;
    const scheduler = new EvaluationScheduler(50, () => now);
    const log: string[] = [];
    const waits: Promise<unknown>[] = [];
    for (const [name, work] of [['x', 30], ['y', 10], ['z', 10], ['w', 20]] as const) {
      const t = scheduler.begin();
      t.attained = work;
      waits.push(t.turn().then(() => log.push(name)));
      now += 1;
    }
    await Promise.all(waits);
    expect(log).toEqual(['y', 'z', 'w', 'x']);
    expect(scheduler.waitingCount).toBe(0);
  });

  it('lets other event-loop work run between turns', async () => {
    const scheduler = new EvaluationScheduler();
    const log: string[] = [];
    const a = evaluation(scheduler.begin(), 'a', 3, 1, log);
    const b = evaluation(scheduler.begin(), 'b', 3, 1, log);
    // An I/O-like callback queued now runs before the third turn at the latest.
    setImmediate(() => log.push('io'));
    await Promise.all([a, b]);
    expect(log.indexOf('io')).toBeLessThan(3);
    expect(log.filter((n) => n !== 'io')).toHaveLength(6);
  });
});
