// Leader election with a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it:
// the holder renews spec.renewTime every retry period; another replica takes the lease when
// renewTime + leaseDurationSeconds has passed. Updates carry the resourceVersion read, so two
// replicas racing for an expired lease cannot both win (the loser gets 409 Conflict).
import type { Kube } from "./kube.js";

export interface LeaderOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseSeconds: number;
  /** how often to try to take or renew the lease (default leaseSeconds / 3) */
  retryMs?: number;
  onStart: () => void;
  onStop: () => void;
  log?: (line: string) => void;
}

const microTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

export class LeaderElector {
  leader = false;
  holder = "";
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** when we last renewed: past leaseSeconds without a renewal we stop acting as leader */
  private renewedAt = 0;

  constructor(
    private readonly kube: Kube,
    private readonly opts: LeaderOptions,
  ) {}

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.opts.namespace)}/leases`;
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      try {
        await this.tryAcquireOrRenew();
      } catch (e) {
        this.opts.log?.(`leader election: ${(e as Error).message}`);
      }
      // a leader that could not renew for a whole lease must stop writing: another may hold it now
      if (this.leader && Date.now() - this.renewedAt > this.opts.leaseSeconds * 1000) this.setLeader(false);
      if (!this.stopped) this.timer = setTimeout(tick, this.opts.retryMs ?? Math.max(200, (this.opts.leaseSeconds * 1000) / 3));
    };
    void tick();
  }

  private setLeader(v: boolean): void {
    if (v === this.leader) return;
    this.leader = v;
    if (v) this.opts.onStart();
    else this.opts.onStop();
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const now = new Date();
    const lease = await this.kube.find<any>(`${this.path}/${encodeURIComponent(this.opts.name)}`);
    const mine = {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: this.opts.leaseSeconds,
      renewTime: microTime(now),
    };
    if (!lease) {
      await this.kube.request("POST", this.path, {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: this.opts.name, namespace: this.opts.namespace },
        spec: { ...mine, acquireTime: microTime(now), leaseTransitions: 0 },
      });
      this.won(now);
      return;
    }
    const spec = lease.spec ?? {};
    this.holder = typeof spec.holderIdentity === "string" ? spec.holderIdentity : "";
    const renew = Date.parse(spec.renewTime ?? spec.acquireTime ?? "");
    const duration = (typeof spec.leaseDurationSeconds === "number" ? spec.leaseDurationSeconds : this.opts.leaseSeconds) * 1000;
    const held = this.holder === this.opts.identity;
    const expired = !this.holder || !Number.isFinite(renew) || renew + duration < now.getTime();
    if (!held && !expired) {
      this.setLeader(false);
      return;
    }
    const next = {
      ...lease,
      spec: {
        ...spec,
        ...mine,
        acquireTime: held ? spec.acquireTime : microTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (held ? 0 : 1),
      },
    };
    // PUT with the resourceVersion read: a replica that raced us in between gets 409
    await this.kube.request("PUT", `${this.path}/${encodeURIComponent(this.opts.name)}`, next);
    this.won(now);
  }

  private won(now: Date): void {
    this.holder = this.opts.identity;
    this.renewedAt = now.getTime();
    this.setLeader(true);
  }

  /** Stop renewing; with release, hand the lease back at once so another replica need not wait it out. */
  async stop(release = true): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (release && this.leader) {
      try {
        const lease = await this.kube.find<any>(`${this.path}/${encodeURIComponent(this.opts.name)}`);
        if (lease?.spec?.holderIdentity === this.opts.identity) {
          await this.kube.request("PUT", `${this.path}/${encodeURIComponent(this.opts.name)}`, { ...lease, spec: { ...lease.spec, holderIdentity: "", renewTime: microTime(new Date(0)) } });
        }
      } catch {
        // the lease runs out by itself
      }
    }
    this.setLeader(false);
  }
}
