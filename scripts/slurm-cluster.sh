#!/usr/bin/env bash
# A single-node Slurm cluster on loopback for nightshift's Slurm tests and benchmarks: munged,
# slurmctld and slurmd, every file (config, state, spool, logs, pid files, munge socket) in DIR.
#   scripts/slurm-cluster.sh start DIR   installs the packages if missing, writes DIR/slurm.conf,
#                                        starts the daemons, waits until the node is idle and
#                                        prints SLURM_CONF=DIR/slurm.conf
#   scripts/slurm-cluster.sh stop DIR    stops the daemons it started, by their pid files
#   scripts/slurm-cluster.sh stop-controller DIR / start-controller DIR
#                                        an outage of slurmctld alone (it restarts from its saved
#                                        state: jobs survive it)
#   scripts/slurm-cluster.sh cold-start-controller DIR
#                                        starts slurmctld with its state cleared: the jobs it knew
#                                        are gone from squeue, as after MinJobAge, and only the job
#                                        completion log (sacct -c) still knows how they ended
# slurmrestd listens on DIR/slurmrestd.sock.
# Settings: batch_sched_delay=0 and a short sched_interval so that jobs start when submitted, 16
# advertised CPUs (config_overrides) so that many trivial jobs run at once on 2 cores, and
# kill_invalid_depend. Client commands need SLURM_CONF in their environment.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

stop_pidfile() {
  local file=$1
  [[ -f "$file" ]] || return 0
  local pid
  pid=$(cat "$file")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1  # a daemon's own shutdown, bounded at 10 s
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

if [[ "$cmd" == stop-controller ]]; then
  stop_pidfile "$(cd "$dir" && pwd)/slurmctld.pid"
  exit 0
fi
if [[ "$cmd" == start-controller || "$cmd" == cold-start-controller ]]; then
  dir=$(cd "$dir" && pwd)
  cold=()
  [[ "$cmd" == cold-start-controller ]] && cold=(-c)
  SLURM_CONF="$dir/slurm.conf" slurmctld "${cold[@]}" -f "$dir/slurm.conf"
  deadline=$((SECONDS + 30))
  until SLURM_CONF="$dir/slurm.conf" squeue -h >/dev/null 2>&1; do
    ((SECONDS <= deadline)) || { echo "slurmctld did not answer in 30 s" >&2; exit 1; }
    sleep 0.2  # poll the controller, bounded by the deadline above
  done
  exit 0
fi
if [[ "$cmd" == stop ]]; then
  dir=$(cd "$dir" && pwd)
  stop_pidfile "$dir/slurmrestd.pid"
  stop_pidfile "$dir/slurmd.pid"
  stop_pidfile "$dir/slurmctld.pid"
  stop_pidfile "$dir/munge/munged.pid"
  exit 0
fi
[[ "$cmd" == start ]] || { echo "unknown command: $cmd" >&2; exit 2; }

packages=(slurmctld slurmd slurm-client slurmrestd munge)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/munge"
chmod 0755 "$dir"  # the munge user must reach its own subdirectory
if ! runuser -u munge -- test -x "$dir/munge"; then
  echo "slurm: the munge user cannot reach $dir/munge (a parent directory is not searchable by others)" >&2
  exit 1
fi
chown munge:munge "$dir/munge"
chmod 0700 "$dir/munge"

# munged with its own socket, so that the cluster needs nothing outside DIR and a second cluster
# (or the system's munged) does not interfere.
runuser -u munge -- munged --force --socket="$dir/munge/munge.sock" --pid-file="$dir/munge/munged.pid" \
  --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
munge --socket="$dir/munge/munge.sock" -n | unmunge --socket="$dir/munge/munge.sock" >/dev/null

host=$(hostname -s)
read -r mem < <(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
cat >"$dir/slurm.conf" <<EOF
ClusterName=nightshift-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.sock
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MailProg=/bin/true
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=$((20000 + RANDOM % 20000))
SlurmdPort=$((40000 + RANDOM % 20000))
SchedulerParameters=batch_sched_delay=0,sched_interval=1,default_queue_depth=1000
DependencyParameters=kill_invalid_depend
SlurmdParameters=config_overrides
MinJobAge=300
MaxJobCount=100000
KillWait=5
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=16 RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -c -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"

deadline=$((SECONDS + 30))
until sinfo -h -o '%T' 2>/dev/null | grep -qx idle; do
  if ((SECONDS > deadline)); then
    echo "slurm: the node did not become idle in 30 s; logs in $dir/log" >&2
    sinfo >&2 || true
    exit 1
  fi
  sleep 0.2  # poll the controller, bounded by the deadline above
done

# slurmrestd on a unix socket (local authentication; as root it needs the user check off).
SLURMRESTD_SECURITY=disable_user_check slurmrestd -s openapi/v0.0.38 "unix:$dir/slurmrestd.sock" \
  >"$dir/log/slurmrestd.log" 2>&1 &
echo $! >"$dir/slurmrestd.pid"
deadline=$((SECONDS + 30))
until [[ -S "$dir/slurmrestd.sock" ]]; do
  ((SECONDS <= deadline)) || { echo "slurmrestd did not open its socket in 30 s" >&2; exit 1; }
  sleep 0.1  # poll for the socket, bounded by the deadline above
done
echo "SLURM_CONF=$SLURM_CONF"
