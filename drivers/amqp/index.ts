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

export const createDriver: CreateDriver = async ({ url, options, controlExchange }) => createAmqpDriver({ url, options: amqpOptions(url, options), controlExchange });
