/**
 * The RabbitMQ driver (`rabbit://`, `amqp://`, `amqps://`), wire-compatible with oslo.messaging
 * 14: its exchanges, queues, flags and message format, so TypeScript and Python services call,
 * serve and notify each other. Built on amqplib with two self-healing connections (publishing,
 * consuming); README.md beside this file lists the options.
 */
import type { CreateDriver } from '../../lib/driver/driver.js';
import { createAmqpDriver } from './driver.js';
import { amqpOptions } from './options.js';

export type { AmqpOptions } from './options.js';

/**
 * The RabbitMQ driver module's factory; `connect('rabbit://…')` loads and calls it. It resolves
 * once the publishing connection is open.
 *
 * @example
 * ```ts
 * const transport = await connect('rabbit://guest:guest@127.0.0.1:5672/', { driverOptions: { amqp_durable_queues: true } });
 * ```
 */
export const createDriver: CreateDriver = async ({ url, options, controlExchange }) => createAmqpDriver({ url, options: amqpOptions(url, options), controlExchange });
