/** Request context: user, project, request id and the like, carried as `_context_*` on the wire. */
export type Context = Readonly<Record<string, unknown>>;
