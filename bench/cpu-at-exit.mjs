// Preloaded into a measured process (`node --import`): at exit, writes its CPU time (user + system,
// since its start) and peak memory to the file named by CACHE_AUDIT_BENCH_USAGE.
import { writeFileSync } from 'node:fs';

const file = process.env.CACHE_AUDIT_BENCH_USAGE;
if (file) {
  process.on('exit', () => {
    const cpu = process.cpuUsage();
    writeFileSync(file, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  });
}
