/** What a driver's `listen` and `listenForNotifications` take besides what to consume. */
export interface ListenOptions {
  /**
   * Called once, when the consumer is in place (queues declared and bound, consuming): a message
   * sent after this is received. Servers and listeners resolve `start()` on it.
   */
  readonly onReady?: () => void;
}
