#!/usr/bin/env bash
# A one-node Slurm cluster on 127.0.0.1 for tests, entirely inside DIR: munged with its own key
# and socket, slurmctld and slurmd with their own configuration, state, logs and pid files.
#   slurm_cluster.sh start DIR   -> prints "export SLURM_CONF=DIR/slurm.conf" once the node is idle
#   slurm_cluster.sh stop DIR    -> stops every daemon it started, by its pid file
# Needs root (slurmd starts jobs as their user) and Debian's slurmctld slurmd slurm-client munge
# (scripts/setup.sh). Several clusters can run at once: ports are free ones, names are DIR's.
# Facts that make it work without systemd or cgroups, and fast:
#   - the munge socket folder must be mode 755, and AuthInfo=socket=... must point at it;
#   - RealMemory must not exceed the machine's memory (taken from /proc/meminfo);
#   - proctrack/linuxproc and task/none need no cgroups; accounting is off (read job states
#     with scontrol show job); batch_sched_delay=0 schedules a submission at once.
set -euo pipefail
action=${1:?start|stop}
dir=$(realpath -m "${2:?DIR}")

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  for ((i = 0; i < limit * 10; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "slurm_cluster: $what not ready after ${limit}s; logs in $dir" >&2
  return 1
}

stop_pidfile() {
  local file=$1
  [[ -s $file ]] || return 0
  local pid; pid=$(cat "$file")
  if kill "$pid" 2>/dev/null; then
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

if [[ $action == stop ]]; then
  stop_pidfile "$dir/slurmd.pid"
  stop_pidfile "$dir/slurmctld.pid"
  stop_pidfile "$dir/munged.pid"
  exit 0
fi
[[ $action == start ]] || { echo "slurm_cluster: unknown action $action" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "slurm_cluster: needs root (slurmd runs jobs as their user)" >&2; exit 2; }
for tool in munged slurmctld slurmd sbatch; do
  command -v "$tool" >/dev/null || { echo "slurm_cluster: $tool not installed (bash scripts/setup.sh)" >&2; exit 2; }
done

mkdir -p "$dir"/{munge,state,spool,logs}
chmod 755 "$dir/munge"
dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge.key"
munged --force --socket="$dir/munge/munge.socket.2" --key-file="$dir/munge.key" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munged.seed"
wait_for 10 munged test -S "$dir/munge/munge.socket.2"

memory_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
name=bs$(basename "$dir" | tr -cd 'a-z0-9' | tail -c 20)
cat >"$dir/slurm.conf" <<CONF
ClusterName=${name:-bstest}
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket.2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
NodeName=localhost NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$memory_mb State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$SLURM_CONF"
wait_for 20 slurmctld scontrol ping
slurmd -f "$SLURM_CONF" -N localhost
wait_for 30 "the node" bash -c 'sinfo -h -o %t | grep -qx idle'
echo "export SLURM_CONF=$SLURM_CONF"
