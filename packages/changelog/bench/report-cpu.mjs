// Preloaded (`node --import`) into a timed child process (plain JavaScript: a .ts file would load
// the type stripper into every timed process): prints the CPU time of the whole
// process, all threads, in microseconds, on exit; GNU time only counts in 10 ms steps.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\nbench-cpu-us ${user + system}\n`);
});
