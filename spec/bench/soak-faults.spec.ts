import * as assert from 'uvu/assert';
import { describeFaultSoak, faultSoak, faultSoakPassed } from '../../bench/soak-faults.js';
import { amqpUrl, serviceSuite } from '../helpers/services.js';

const FaultSoak = await serviceSuite('fault soak (npm run soak:faults), 10 cuts', ['rabbitmq']);

FaultSoak('should lose no confirmed message, hang no call and leave every client and server working through 10 connection cuts', async () => {
  const result = await faultSoak({ cuts: 10, cutEveryMs: 200, cluster: false, nodeDownMs: 0, concurrency: 2, callTimeoutMs: 10_000, url: amqpUrl() });
  const report = describeFaultSoak(result);
  assert.ok(faultSoakPassed(result), report);
  assert.ok(result.calls.confirmed > 0 && result.casts.confirmed > 0 && result.notifications.confirmed > 0, report);
});

FaultSoak.run();
