/**
 * Endpoints for examples/worker-pool.ts. Worker threads import this module, so it only defines
 * the endpoints: no side effects.
 */

/** Counts primes below `below` the slow way: a stand-in for any CPU-bound handler. */
function countPrimes(below: number): number {
  let count = 0;
  for (let n = 2; n < below; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

export const endpoints = [
  {
    primes: ({ below }: { below: number }) => countPrimes(below),
    ping: () => 'pong',
  },
];
