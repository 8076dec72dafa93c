// What a node keeps for the length of one execution (a credential's token, its stored expiry, an
// API base read from it): keyed on the execution's context object (`this`) in a WeakMap, so
// nothing outlives the execution and nothing is shared between executions or workers; inside one
// context, by a key (the credential type).
export class ExecutionMemo<V> {
	private readonly contexts = new WeakMap<object, Map<string, V>>();

	get(ctx: object, key: string): V | undefined {
		return this.contexts.get(ctx)?.get(key);
	}

	has(ctx: object, key: string): boolean {
		return this.contexts.get(ctx)?.has(key) ?? false;
	}

	set(ctx: object, key: string, value: V): void {
		let m = this.contexts.get(ctx);
		if (!m) this.contexts.set(ctx, (m = new Map()));
		m.set(key, value);
	}

	delete(ctx: object, key: string): void {
		this.contexts.get(ctx)?.delete(key);
	}
}
