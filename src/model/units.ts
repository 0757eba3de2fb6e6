/** Time in microseconds: every duration in the model is in µs. */
export type Microseconds = number;
/** A rate in events per millisecond of a vCPU's on-CPU time. */
export type PerMillisecond = number;
/** A probability in [0, 1]. */
export type Probability = number;
/** A count of events (episodes, races, IPIs). */
export type Count = number;
