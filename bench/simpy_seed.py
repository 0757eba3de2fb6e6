#!/usr/bin/python3
"""The seed scenario (kvm_flush_tlb_multi + RCU table free, exponential
delays) as a SimPy 2 discrete-event simulation: the peer tlbrace's Monte
Carlo engine is measured against. Episodes start at the unmap instant with
the same law as tlbrace's (model/entry.ts).

    bench/simpy_seed.py PARAMS_JSON EPISODES SEED
Prints one JSON object: episodes, seconds, races, freeDelayMeanUs, ipisMean.
"""
import json
import math
import random
import sys
import time

from SimPy.Simulation import Process, Simulation, hold, passivate


def run(params, episodes, seed):
    rng = random.Random(seed)
    exp = lambda mean: rng.expovariate(1.0 / mean)
    lam = params["preemptRate"] / 1000.0
    m = params["preemptUs"]
    p_pre = lam * m / (1 + lam * m)

    class Walker(Process):
        def __init__(self, sim, preempted):
            Process.__init__(self, sim=sim)
            self.running = not preempted
            self.done = False
            self.waiters = []

        def run(self):
            if not self.running:  # the rest of the preemption under way at u
                yield hold, self, exp(m)
                self.running = True
            work = exp(params["walkUs"])
            while work > 0:
                gap = rng.expovariate(lam) if lam > 0 else math.inf
                if gap >= work:
                    yield hold, self, work
                    work = 0
                else:
                    yield hold, self, gap
                    work -= gap
                    self.running = False
                    yield hold, self, exp(m)
                    self.running = True
            # Last read of P, then local_irq_restore: answer waiting IPIs.
            self.ep.end = self.sim.now()
            self.done = True
            for w in self.waiters:
                self.sim.reactivate(w)

    class Unmapper(Process):
        def run(self, walker):
            ep = walker.ep
            ipi = walker.running  # kvm_flush_tlb_multi skips a preempted vCPU
            yield hold, self, exp(params["flushUs"])
            if ipi:
                ep.ipis += 1
                if not walker.done:
                    walker.waiters.append(self)
                    yield passivate, self
            if rng.random() < params["memoryPressure"]:  # tlb_remove_table_sync_one
                ep.ipis += 1
                yield hold, self, exp(params["ipiUs"])
                if not walker.done:
                    walker.waiters.append(self)
                    yield passivate, self
            else:  # call_rcu: at least a grace period, and W's IRQs back on
                yield hold, self, exp(params["gracePeriodUs"])
                if not walker.done:
                    walker.waiters.append(self)
                    yield passivate, self
            ep.free = self.sim.now()

    class Episode:
        end = None
        free = None
        ipis = 0

    races, free_sum, ipis = 0, 0.0, 0
    t0 = time.perf_counter()
    for _ in range(episodes):
        sim = Simulation()
        sim.initialize()
        ep = Episode()
        w = Walker(sim, rng.random() < p_pre)
        w.ep = ep
        u = Unmapper(sim=sim)
        sim.activate(w, w.run())
        sim.activate(u, u.run(w))
        sim.simulate(until=1e15)
        if ep.free < ep.end:
            races += 1
        free_sum += ep.free
        ipis += ep.ipis
    seconds = time.perf_counter() - t0
    return {"episodes": episodes, "seconds": seconds, "races": races,
            "freeDelayMeanUs": free_sum / episodes, "ipisMean": ipis / episodes}


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))))
