// The sandbox's clock: real time plus an offset that tests (or the admin endpoint) can advance,
// so that 60-second tokens can expire without waiting a minute.
export class Clock {
	private offsetMs = 0;

	now(): number {
		return Date.now() + this.offsetMs;
	}

	nowSeconds(): number {
		return Math.floor(this.now() / 1000);
	}

	advance(seconds: number): void {
		this.offsetMs += seconds * 1000;
	}

	reset(): void {
		this.offsetMs = 0;
	}
}
