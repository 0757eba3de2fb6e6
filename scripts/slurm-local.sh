#!/usr/bin/env bash
# A one-machine Slurm cluster from Debian's slurm-wlm and munge, to run
# examples/cluster/slurm-sweep.sh for real. Everything lives in one folder:
# slurm.conf for this host, a munge key made for the run, the daemons'
# state, spool, pid and log files. Nothing under /etc is written.
#
#   bash scripts/slurm-local.sh up DIR     start munged, slurmctld and slurmd;
#                                          wait until the node is idle
#   bash scripts/slurm-local.sh submit DIR [SBATCH_OPTION...]
#                                          submit the sweep example, wait for
#                                          it; name each failed task with its log
#   bash scripts/slurm-local.sh down DIR   stop the daemons by their pids,
#                                          remove DIR
#   bash scripts/slurm-local.sh demo [FILE]
#                                          all three: a sweep as 4 array tasks,
#                                          merged into FILE (out/slurm-sweep.arrow)
#
# While it is up, `export SLURM_CONF=DIR/slurm.conf` points Slurm's own
# commands (sinfo, squeue, sbatch, scontrol) at it.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
self=$repo/scripts/slurm-local.sh
# The daemons and what `submit` starts carry this variable; with slurmstepd
# (found by its SLURM_CONF) `down` finds every process of one cluster and
# no other.
marker_var=TLBRACE_SLURM_LOCAL
up_timeout=${SLURM_LOCAL_TIMEOUT:-60}

say() { printf 'slurm-local: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

usage() {
  # The comment at the top of this file.
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$self" >&2
  exit 2
}

need_commands() {
  local c missing=()
  for c in munged mungekey munge unmunge slurmctld slurmd sbatch sinfo squeue scancel scontrol node; do
    command -v "$c" >/dev/null || missing+=("$c")
  done
  [ "${#missing[@]}" -eq 0 ] ||
    die "not found: ${missing[*]}; install Debian's slurm-wlm and munge (bash scripts/setup.sh does)"
}

# The folder as an absolute path; paths in slurm.conf must be absolute.
absolute() { mkdir -p "$1" && (cd "$1" && pwd); }

# Two TCP ports nobody listens on now, so two clusters on one machine
# (two test runs, a user's and a test's) do not collide.
free_ports() {
  node -e '
    const net = require("node:net");
    const open = () => new Promise((ok) => { const s = net.createServer().listen(0, () => ok(s)); });
    Promise.all([open(), open()]).then((ss) => {
      console.log(ss.map((s) => s.address().port).join(" "));
      ss.forEach((s) => s.close());
    });'
}

write_conf() {
  local dir=$1 ctld_port=$2 slurmd_port=$3 user node_line node
  user=$(id -un)
  # `slurmd -C` reads this host's name, CPUs, sockets, cores and memory.
  node_line=$(slurmd -C | head -n 1)
  node=$(sed -n 's/^NodeName=\([^ ]*\).*/\1/p' <<<"$node_line")
  [ -n "$node" ] || die "slurmd -C gave no NodeName line: $node_line"
  cat >"$dir/slurm.conf" <<EOF
# A one-machine cluster made by scripts/slurm-local.sh; its state is in $dir.
ClusterName=tlbrace
SlurmctldHost=$(hostname -s)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
PlugStackConfig=$dir/plugstack.conf
# No systemd, no cgroup delegation, no accounting database: plugins that
# work in a plain VM or container. Job state comes from scontrol.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MailProg=/bin/true
# A job larger than this machine is refused at once rather than left pending.
EnforcePartLimits=ALL
$node_line State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  : >"$dir/plugstack.conf"
}

# Start one daemon in the background, in the foreground mode it has, with
# its pid recorded at once (before it can fail) for `down`.
start() {
  local dir=$1 name=$2
  shift 2
  env "$marker_var=$dir" SLURM_CONF="$dir/slurm.conf" "$@" \
    </dev/null >"$dir/log/$name.stderr" 2>&1 &
  echo $! >"$dir/pids/$name"
}

# A process that exists and has not exited (a zombie has).
running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

alive() { [ -f "$1/pids/$2" ] && running "$(cat "$1/pids/$2")"; }

# The end of each daemon's log: its log file, or what it wrote to stderr
# when it stopped before opening one.
show_logs() {
  local dir=$1 name f
  for name in munged slurmctld slurmd; do
    f=$dir/log/$name.log
    [ -s "$f" ] || f=$dir/log/$name.stderr
    [ -s "$f" ] || continue
    printf -- '--- %s (last 15 lines)\n' "${f#"$dir"/}" >&2
    tail -n 15 "$f" | sed 's/^/  /' >&2
  done
}

# Stop what was started (so each log ends with its daemon's last words),
# say what failed and show the logs, and keep them.
up_failed() {
  local dir=$1
  shift
  stop_all "$dir"
  say "the cluster in $dir did not come up: $*"
  show_logs "$dir"
  say "logs kept in $dir/log; remove them with: bash $self down $dir"
  exit 1
}

cmd_up() {
  [ $# -eq 1 ] || usage
  need_commands
  [[ $up_timeout =~ ^[0-9]+$ ]] ||
    die "SLURM_LOCAL_TIMEOUT: \"$up_timeout\" is not allowed; expected whole seconds, such as 60"
  local dir
  dir=$(absolute "$1")
  [ -z "$(ls -A "$dir")" ] || die "$dir is not empty; give a new folder"
  # Others may pass through to munged's socket (munged insists), not list.
  chmod 711 "$dir"
  : >"$dir/.slurm-local"
  mkdir -p "$dir"/{munge,ctld,spool,run,log,pids}
  chmod 755 "$dir/munge"
  local ctld_port slurmd_port
  read -r ctld_port slurmd_port < <(free_ports)
  write_conf "$dir" "$ctld_port" "$slurmd_port"

  mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null 2>&1 ||
    up_failed "$dir" "mungekey could not create $dir/munge/munge.key"
  start "$dir" munged munged --foreground --force \
    --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munged.seed"
  local t
  for ((t = 0; t < 50; t++)); do
    [ -S "$dir/munge/munge.socket" ] && break
    alive "$dir" munged || up_failed "$dir" "munged exited"
    sleep 0.2
  done
  munge -n -S "$dir/munge/munge.socket" | unmunge -S "$dir/munge/munge.socket" >/dev/null 2>&1 ||
    up_failed "$dir" "munged does not answer on $dir/munge/munge.socket"

  start "$dir" slurmctld slurmctld -D -c -f "$dir/slurm.conf"
  start "$dir" slurmd slurmd -D -f "$dir/slurm.conf"
  local state=""
  for ((t = 0; t < up_timeout * 2; t++)); do
    local d
    for d in munged slurmctld slurmd; do
      alive "$dir" "$d" || up_failed "$dir" "$d exited"
    done
    state=$(SLURM_CONF="$dir/slurm.conf" sinfo -h -N -o %t 2>/dev/null | head -n 1 || true)
    [ "$state" = idle ] && break
    sleep 0.5
  done
  if [ "$state" != idle ]; then
    local reason
    reason=$(SLURM_CONF="$dir/slurm.conf" sinfo -h -N -o '%t %E' 2>&1 | head -n 1 || true)
    up_failed "$dir" "the node is not idle after ${up_timeout} s (sinfo: ${reason:-no answer})"
  fi
  say "up: node $(SLURM_CONF="$dir/slurm.conf" sinfo -h -N -o '%N, %c CPUs, %m MB') idle; export SLURM_CONF=$dir/slurm.conf"
}

# Field NAME=value of one `scontrol -o show job` line.
field() { sed -n "s/.*\\<$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

cmd_submit() {
  [ $# -ge 1 ] || usage
  local dir
  dir=$(cd "$1" && pwd) || die "no cluster folder $1"
  shift
  [ -f "$dir/slurm.conf" ] || die "$dir has no slurm.conf; start it with: bash $self up $dir"
  export SLURM_CONF=$dir/slurm.conf "$marker_var=$dir"
  # The example finds run-shard.sh through SLURM_SUBMIT_DIR: submit from the repository.
  cd "$repo"
  local job
  job=$(sbatch --parsable "$@" examples/cluster/slurm-sweep.sh) || die "sbatch refused the job"
  job=${job%%;*}
  # Until squeue lists none of its tasks (pending, running or completing).
  # sbatch --wait would do, but it looks after 2, 10 and 42 s, then every 32 s.
  local queued
  while :; do
    queued=$(squeue -h -j "$job" -o %i) || die "job $job: squeue failed; is the cluster in $dir still up?"
    [ -n "$queued" ] || break
    sleep 1
  done
  local line id state code log failed=() ok=()
  # One line per array task (pending ones as a range), in task order.
  while IFS=$'\t' read -r id line; do
    state=$(field JobState "$line")
    code=$(field ExitCode "$line")
    log=$(field StdOut "$line")
    if [ "$state" = COMPLETED ]; then ok+=("$id") && continue; fi
    failed+=("$id")
    if [ -f "$log" ]; then
      say "array task $id of job $job: $state, exit code $code; the end of its log $log:"
      tail -n 20 "$log" | sed 's/^/  /' >&2
    else
      say "array task $id of job $job: $state, exit code $code; it did not start, so it has no log"
    fi
  done < <(scontrol -o show job "$job" | sed -n 's/.*\<ArrayTaskId=\([^ ]*\).*/\1\t&/p' | sort -n)
  [ "${#failed[@]}" -gt 0 ] || [ "${#ok[@]}" -gt 0 ] || die "job $job: scontrol shows none of its array tasks"
  [ "${#failed[@]}" -eq 0 ] || die "job $job: array tasks ${failed[*]} failed; ${#ok[@]} completed"
  say "job $job: array tasks ${ok[*]} completed"
  echo "$job"
}

# Every process of this cluster except the given pids: those carrying its
# marker (what the daemons and `submit` started), its slurmstepd (which
# keeps only SLURM_CONF of its environment), and their descendants.
cluster_processes() {
  local dir=$1 f pid
  shift
  {
    grep -lzxF "$marker_var=$dir" /proc/[0-9]*/environ 2>/dev/null || true
    grep -lzxF "SLURM_CONF=$dir/slurm.conf" /proc/[0-9]*/environ 2>/dev/null |
      while read -r f; do
        [ "$(cat "${f%/environ}/comm" 2>/dev/null)" != slurmstepd ] || echo "$f"
      done
  } | while read -r f; do
    pid=${f#/proc/}
    pid=${pid%/environ}
    case " $* $$ " in *" $pid "*) continue ;; esac
    descendants "$pid"
  done | sort -u
}

descendants() {
  local child
  echo "$1"
  for child in $(pgrep -P "$1"); do descendants "$child"; done
}

# TERM the pids, wait up to 10 s for them to go, then KILL.
stop_pids() {
  local pid t
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  for ((t = 0; t < 50; t++)); do
    for pid in "$@"; do running "$pid" && break; pid=""; done
    [ -z "$pid" ] && return 0
    sleep 0.2
  done
  kill -KILL "$@" 2>/dev/null || true
}

stop_all() {
  local dir=$1 name pid ours=() rest
  if alive "$dir" slurmctld; then
    local jobs
    jobs=$(SLURM_CONF="$dir/slurm.conf" squeue -h -o %A 2>/dev/null | sort -u || true)
    # shellcheck disable=SC2086
    [ -z "$jobs" ] || SLURM_CONF="$dir/slurm.conf" scancel $jobs 2>/dev/null || true
  fi
  for name in slurmd slurmctld munged; do
    [ -f "$dir/pids/$name" ] || continue
    pid=$(cat "$dir/pids/$name")
    # Only a process started for this folder: a pid may have been reused.
    if tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "$dir/"; then
      ours+=("$pid")
    fi
  done
  # All at once: each daemon takes a moment to shut down.
  mapfile -t rest < <(cluster_processes "$dir" "${ours[@]}")
  stop_pids "${ours[@]}" "${rest[@]}"
  mapfile -t rest < <(cluster_processes "$dir")
  stop_pids "${rest[@]}"
}

cmd_down() {
  [ $# -eq 1 ] || usage
  [ -d "$1" ] || return 0
  local dir
  dir=$(cd "$1" && pwd)
  [ -f "$dir/.slurm-local" ] || die "$dir was not made by slurm-local.sh up; not touching it"
  stop_all "$dir"
  rm -rf "$dir"
}

cmd_demo() {
  [ $# -le 1 ] || usage
  local file=${1:-out/slurm-sweep.arrow}
  demo_dir=$(mktemp -d "${TMPDIR:-/tmp}/tlbrace-slurm.XXXXXX")
  # Once up, always down; a cluster that did not come up is stopped already
  # and keeps its logs.
  demo_up=""
  trap '[ -z "$demo_up" ] || bash "$self" down "$demo_dir"' EXIT
  trap 'exit 130' INT TERM
  cmd_up "$demo_dir"
  demo_up=1
  mkdir -p "$demo_dir/parts" "$(dirname "$file")"
  (
    export OUT=$demo_dir/parts EPISODES=${EPISODES:-10000}
    cmd_submit "$demo_dir" --array=0-3 --cpus-per-task=1 --output="$demo_dir/parts/slurm-%A_%a.log" >/dev/null
  )
  node "$repo/bin/tlbrace.js" merge "$demo_dir"/parts/part-*.arrow --out "$file"
}

case "${1:-}" in
  up | submit | down | demo) c=$1; shift; "cmd_$c" "$@" ;;
  *) usage ;;
esac
