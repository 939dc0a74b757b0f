// The child side of child-service.ts: answers the parent's commands over the IPC channel and dies with the parent,
// so a crashed test run never leaves a server behind.
export function serveIpc(port, handlers) {
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (message) => {
    if (!message || message.type !== 'call') return;
    try {
      const handler = handlers[message.command];
      if (!handler) throw new Error(`unknown command ${message.command}`);
      const value = await handler(message.args ?? {});
      process.send({ type: 'result', id: message.id, value: value ?? null });
    } catch (error) {
      process.send({ type: 'result', id: message.id, error: String((error && error.stack) || error) });
    }
  });
  process.send({ type: 'ready', port });
}
