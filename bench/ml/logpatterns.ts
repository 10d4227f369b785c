// Log-pattern mining benchmark (issue 5 §5): lines/s on one core over the Loghub-2k systems,
// and memory per pattern. Run after `npm run build`:
//   node --expose-gc dist/bench/ml/logpatterns.js [--data ../shared/datasets/loghub2k] [--rounds 7]
// Prints a Markdown section for bench/RESULTS.md.
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PatternMiner, listLoghubSystems, loadLoghubSystem } from '#pharos/logpatterns';

const { values } = parseArgs({
  options: { data: { type: 'string' }, rounds: { type: 'string' }, patterns: { type: 'string' } },
});
const dataDir = values.data ?? fileURLToPath(new URL('../../../../shared/datasets/loghub2k', import.meta.url));
const rounds = Number(values.rounds ?? 7);
const patternCount = Number(values.patterns ?? 20_000);
if (!(rounds >= 1) || !(patternCount >= 1000)) throw new Error('--rounds must be ≥ 1 and --patterns ≥ 1000');

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (memory per pattern needs a settled heap)');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// 1. Throughput: a fresh miner per system per round, as the evaluation runs it (the first lines
// of a stream are the slowest: every new pattern searches for siblings).
const systems = listLoghubSystems(dataDir).map((name) => ({ name, lines: loadLoghubSystem(dataDir, name).contents }));
const perSystem = new Map<string, number[]>();
const overall: number[] = [];
for (let r = 0; r < rounds + 1; r++) {
  let lines = 0;
  let seconds = 0;
  for (const s of systems) {
    const t0 = process.hrtime.bigint();
    const miner = new PatternMiner();
    for (const line of s.lines) miner.add(line);
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    lines += s.lines.length;
    seconds += dt;
    if (r > 0) (perSystem.get(s.name) ?? perSystem.set(s.name, []).get(s.name)!).push(s.lines.length / dt);
  }
  if (r > 0) overall.push(lines / seconds); // round 0 warms the JIT up
}

// 2. Steady state: one long-lived miner fed every system's lines 20 times over (patterns known).
const steady = new PatternMiner();
const all = systems.flatMap((s) => s.lines);
for (const line of all) steady.add(line);
const t0 = process.hrtime.bigint();
for (let k = 0; k < 20; k++) for (const line of all) steady.add(line);
const steadyRate = (20 * all.length) / (Number(process.hrtime.bigint() - t0) / 1e9);

// 2b. A hard stream: 5,000 distinct first words (beyond the tree's fan-out, so they share one
// wildcard branch) × 300 second words that turn out to be a variable; most lines make a pattern
// that then merges.
const word0 = (i: number): string => i.toString(36).replace(/[0-9]/g, (d) => 'ghijklmnop'[Number(d)]!);
const hard = new PatternMiner();
const hardLines = 100_000;
const t1 = process.hrtime.bigint();
for (let i = 0; i < hardLines; i++) hard.add(`${word0(i % 5000)}q ${word0((i * 7) % 300)}r task ${i} done in ${i % 97} ms`);
const hardRate = hardLines / (Number(process.hrtime.bigint() - t1) / 1e9);

// 3. Memory per pattern: synthetic lines that each make a new pattern: distinct first and second
// words (which never merge: they route the tree) and lengths, around masked values; heap measured
// after full collections.
const word = (i: number): string => i.toString(36).replace(/[0-9]/g, (d) => 'ghijklmnop'[Number(d)]!);
gc();
const before = process.memoryUsage().heapUsed;
const big = new PatternMiner({ maxPatterns: patternCount });
for (let i = 0; i < patternCount; i++) {
  const extra = ' more'.repeat(Math.floor(i / (97 * 89)));
  big.add(`${word(i % 97)}x ${word(Math.floor(i / 97) % 89)}y ${word(Math.floor(i / 97) % 89)}z finished task ${i} of stage in ${i % 997} ms${extra}`);
}
gc();
const after = process.memoryUsage().heapUsed;
const bytesPerPattern = (after - before) / big.size;
const snapshotBytes = JSON.stringify(big.snapshot()).length / big.size;

const k = (x: number): string => `${Math.round(x / 1000).toLocaleString('en-US')} k`;
const out: string[] = [];
out.push(`## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — log-pattern mining (libs/logpatterns)`);
out.push('');
out.push(`- Machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}; one core (single thread).`);
out.push(`- Data: ${systems.length} Loghub-2k systems from ${dataDir}, the Content column; ${rounds} rounds after one warm-up, median.`);
out.push('');
out.push('| system | lines/s (fresh miner per 2,000 lines) |');
out.push('|---|---:|');
for (const s of systems) out.push(`| ${s.name} | ${k(median(perSystem.get(s.name)!))} |`);
out.push(`| **all** | **${k(median(overall))}** |`);
out.push('');
out.push(`- Steady state (one miner, patterns already known, ${(20 * all.length).toLocaleString('en-US')} lines): ${k(steadyRate)} lines/s.`);
out.push(`- Hard stream (5,000 distinct first words, a word-valued variable to learn, ${hardLines.toLocaleString('en-US')} lines, ${hard.size.toLocaleString('en-US')} patterns at the end): ${k(hardRate)} lines/s.`);
out.push(
  `- Memory: ${Math.round(bytesPerPattern)} B of heap per pattern (${big.size.toLocaleString('en-US')} patterns of ${big.snapshot().patterns[0]?.tokens.length ?? 0}–${(big.snapshot().patterns.at(-1)?.tokens.length ?? 0)} tokens); snapshot ${Math.round(snapshotBytes)} B of JSON per pattern.`,
);
process.stdout.write(out.join('\n') + '\n');
